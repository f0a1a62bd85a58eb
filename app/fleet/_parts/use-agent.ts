// The fleet page's link to one agent: connect, send the token, keep recent telemetry frames.
'use client';

import { useCallback, useEffect, useRef, useState } from 'react';

import type { TelemetryFrame } from '../../../agent/protocol.ts';
import { closeMessage, MAX_FRAMES, parseAgentMessage, protocolMatches } from './fleet-data.ts';

/** Where the link to the agent stands. */
export type AgentLink =
  | { status: 'idle' }
  | { status: 'connecting'; url: string }
  | { status: 'connected'; url: string; hostname: string; agentVersion: string }
  | { status: 'refused'; url: string; message: string };

/**
 * Seconds an address has to answer with the agent's hello: a port that accepts connections
 * but is no agent (or a dead host) would otherwise leave the page connecting for ever.
 */
export const HELLO_TIMEOUT_S = 10;

/** Connects to agents and keeps their frames; one agent at a time. */
export function useAgent() {
  const [link, setLink] = useState<AgentLink>({ status: 'idle' });
  const [frames, setFrames] = useState<TelemetryFrame[]>([]);
  const socket = useRef<WebSocket | null>(null);
  const helloTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const stopHelloTimer = useCallback(() => {
    if (helloTimer.current !== null) clearTimeout(helloTimer.current);
    helloTimer.current = null;
  }, []);

  const disconnect = useCallback(() => {
    stopHelloTimer();
    const current = socket.current;
    socket.current = null;
    current?.close(1000, 'page closed the link');
    setLink({ status: 'idle' });
  }, [stopHelloTimer]);

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
        setLink({
          status: 'refused',
          url,
          message:
            'The browser would not open this address (a page served over https opens only ' +
            'wss:// addresses).',
        });
        return;
      }
      socket.current = ws;

      const refuse = (message: string) => {
        stopHelloTimer();
        socket.current = null;
        ws.close(1000);
        setLink({ status: 'refused', url, message });
      };

      helloTimer.current = setTimeout(() => {
        if (socket.current !== ws) return;
        refuse(
          `No agent answered at this address within ${HELLO_TIMEOUT_S} s. Is \`hwledger agent\` ` +
            'running, and is the address the one it printed?',
        );
      }, HELLO_TIMEOUT_S * 1000);

      ws.onopen = () => {
        opened = true;
        ws.send(JSON.stringify({ type: 'auth', token }));
      };
      ws.onmessage = (event) => {
        if (socket.current !== ws) return;
        const message = typeof event.data === 'string' ? parseAgentMessage(event.data) : null;
        if (message === null) {
          refuse(
            'The program at this address sent something this page does not understand: is it ' +
              'an hwLedger agent of the same version as this page?',
          );
          return;
        }
        if (message.type === 'hello') {
          if (!protocolMatches(message.protocol)) {
            refuse('This agent speaks another protocol version.');
            return;
          }
          stopHelloTimer();
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
        stopHelloTimer();
        socket.current = null;
        const message = closeMessage(
          { code: event.code, reason: event.reason, opened },
          window.location.origin,
        );
        setLink({ status: 'refused', url, message });
      };
    },
    [disconnect, stopHelloTimer],
  );

  const refresh = useCallback(() => {
    socket.current?.send(JSON.stringify({ type: 'refresh' }));
  }, []);

  useEffect(() => disconnect, [disconnect]);

  return { link, frames, connect, disconnect, refresh };
}
