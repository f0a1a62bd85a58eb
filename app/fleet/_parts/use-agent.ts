// The fleet page's link to one agent: connect, send the token, keep recent telemetry frames.
'use client';

import { useCallback, useEffect, useRef, useState } from 'react';

import type { AgentMessage, TelemetryFrame } from '../../../agent/protocol.ts';
import { closeMessage, MAX_FRAMES, protocolMatches } from './fleet-data.ts';

/** Where the link to the agent stands. */
export type AgentLink =
  | { status: 'idle' }
  | { status: 'connecting'; url: string }
  | { status: 'connected'; url: string; hostname: string; agentVersion: string }
  | { status: 'refused'; url: string; message: string };

/** Connects to agents and keeps their frames; one agent at a time. */
export function useAgent() {
  const [link, setLink] = useState<AgentLink>({ status: 'idle' });
  const [frames, setFrames] = useState<TelemetryFrame[]>([]);
  const socket = useRef<WebSocket | null>(null);

  const disconnect = useCallback(() => {
    const current = socket.current;
    socket.current = null;
    current?.close(1000, 'page closed the link');
    setLink({ status: 'idle' });
  }, []);

  const connect = useCallback(
    (url: string, token: string) => {
      disconnect();
      setFrames([]);
      setLink({ status: 'connecting', url });

      let opened = false;
      let ws: WebSocket;
      try {
        ws = new WebSocket(url);
      } catch {
        setLink({ status: 'refused', url, message: 'The browser would not open this address.' });
        return;
      }
      socket.current = ws;

      ws.onopen = () => {
        opened = true;
        ws.send(JSON.stringify({ type: 'auth', token }));
      };
      ws.onmessage = (event) => {
        if (socket.current !== ws || typeof event.data !== 'string') return;
        const message = JSON.parse(event.data) as AgentMessage;
        if (message.type === 'hello') {
          if (!protocolMatches(message.protocol)) {
            socket.current = null;
            ws.close(1000);
            setLink({
              status: 'refused',
              url,
              message: 'This agent speaks another protocol version.',
            });
            return;
          }
          setLink({
            status: 'connected',
            url,
            hostname: message.hostname,
            agentVersion: message.agentVersion,
          });
        } else if (message.type === 'telemetry') {
          setFrames((previous) => [...previous, message.frame].slice(-MAX_FRAMES));
        }
      };
      ws.onclose = (event) => {
        if (socket.current !== ws) return;
        socket.current = null;
        const message = closeMessage(
          { code: event.code, reason: event.reason, opened },
          window.location.origin,
        );
        setLink({ status: 'refused', url, message });
      };
    },
    [disconnect],
  );

  const refresh = useCallback(() => {
    socket.current?.send(JSON.stringify({ type: 'refresh' }));
  }, []);

  useEffect(() => disconnect, [disconnect]);

  return { link, frames, connect, disconnect, refresh };
}
