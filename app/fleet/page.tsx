// The fleet page: connect to a local agent (address and token, or a pairing link) and watch it.
'use client';

import { useCallback, useEffect, useState } from 'react';

import { DeviceList } from './_parts/DeviceList.tsx';
import { EngineList } from './_parts/EngineList.tsx';
import {
  agentHost,
  agentUrlProblem,
  isLoopbackAgentUrl,
  pairingFromLink,
  parsePairingFragment,
} from './_parts/fleet-data.ts';
import { RemoteWarning } from './_parts/RemoteWarning.tsx';
import { TelemetryChart } from './_parts/TelemetryChart.tsx';
import { useAgent } from './_parts/use-agent.ts';
import './fleet.css';

const DEFAULT_AGENT_URL = 'ws://127.0.0.1:7420/agent';

const INCOMPLETE_LINK =
  'This pairing link is incomplete: it needs both the agent address and the token. Open the ' +
  'link the agent printed again, or paste its address and token below.';

/**
 * Connects to one agent and shows its devices, engines and live memory. A pairing link only
 * fills in the form (its token is read from the fragment, which is then cleared from the
 * address bar); nothing connects until the user says so, and an address that is not this
 * machine needs an explicit extra choice.
 */
export default function FleetPage() {
  const { link, frames, connect, disconnect, refresh } = useAgent();
  const [url, setUrl] = useState(DEFAULT_AGENT_URL);
  const [token, setToken] = useState('');
  const [pairedUrl, setPairedUrl] = useState<string | null>(null);
  const [remoteAllowedFor, setRemoteAllowedFor] = useState<string | null>(null);
  const [formProblem, setFormProblem] = useState<string | null>(null);

  const readPairingLink = useCallback(() => {
    const paired = parsePairingFragment(window.location.hash);
    if (!paired) return;
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    if (paired.url === null || paired.token === null) {
      setFormProblem(INCOMPLETE_LINK);
      return;
    }
    setUrl(paired.url);
    setToken(paired.token);
    setPairedUrl(paired.url);
    setRemoteAllowedFor(null);
    setFormProblem(null);
  }, []);

  useEffect(() => {
    readPairingLink();
    window.addEventListener('hashchange', readPairingLink);
    return () => window.removeEventListener('hashchange', readPairingLink);
  }, [readPairingLink]);

  const target = url.trim();
  const remote = agentUrlProblem(target) === null && !isLoopbackAgentUrl(target);
  const remoteAllowed = remote && remoteAllowedFor === target;

  const submit = () => {
    const pasted = pairingFromLink(target);
    if (pasted !== null) {
      setUrl(pasted.url);
      setToken(pasted.token);
    }
    const agentUrl = pasted?.url ?? target;
    const agentToken = pasted?.token ?? token.trim();
    const unconfirmedRemote =
      agentUrlProblem(agentUrl) === null &&
      !isLoopbackAgentUrl(agentUrl) &&
      remoteAllowedFor !== agentUrl;

    const problem =
      agentUrlProblem(agentUrl) ??
      (agentToken === '' ? 'Paste the token the agent printed into the token field.' : null) ??
      (unconfirmedRemote
        ? `The agent address names ${agentHost(agentUrl)}, which is not this machine: tick ` +
          '"Connect to this address anyway" below the form to connect to it.'
        : null);
    setFormProblem(problem);
    if (problem !== null) return;
    setPairedUrl(null);
    connect(agentUrl, agentToken);
  };

  const dismissPairing = () => {
    setPairedUrl(null);
    setUrl(DEFAULT_AGENT_URL);
    setToken('');
    setFormProblem(null);
  };

  const latest = frames[frames.length - 1];
  const error = formProblem ?? (link.status === 'refused' ? link.message : null);

  return (
    <div className="fleet">
      <h1>Fleet</h1>
      <p>
        Run <code>npx hwledger agent</code> on a machine, then open the link it prints, paste that
        link into the address field, or paste its address and token. The agent listens on this
        machine only (loopback).
      </p>

      {pairedUrl !== null ? (
        <div className="fleet-pairing" data-testid="pairing-confirm">
          <p>
            A pairing link filled in the agent address <code>{pairedUrl}</code> and its token.
            Nothing is sent until you connect.
          </p>
          <button type="button" data-testid="pairing-connect" onClick={submit}>
            Connect to this agent
          </button>
          <button type="button" data-testid="pairing-dismiss" onClick={dismissPairing}>
            Dismiss
          </button>
        </div>
      ) : null}

      <form
        className="fleet-connect"
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <label>
          agent address
          <input data-testid="agent-url" value={url} onChange={(e) => setUrl(e.target.value)} />
        </label>
        <label>
          token
          <input
            data-testid="agent-token"
            type="password"
            autoComplete="off"
            value={token}
            onChange={(e) => setToken(e.target.value)}
          />
        </label>
        <button type="submit" data-testid="agent-connect">
          Connect
        </button>
        {link.status === 'connected' ? (
          <>
            <button type="button" onClick={refresh}>
              Probe now
            </button>
            <button type="button" onClick={disconnect}>
              Disconnect
            </button>
          </>
        ) : null}
      </form>

      {remote ? (
        <RemoteWarning
          host={agentHost(target)}
          allowed={remoteAllowed}
          onChange={(allowed) => setRemoteAllowedFor(allowed ? target : null)}
        />
      ) : null}

      <p data-testid="agent-status" data-status={link.status} role="status">
        {link.status === 'idle' || link.status === 'refused' ? 'Not connected.' : null}
        {link.status === 'connecting' ? `Connecting to ${link.url}…` : null}
        {link.status === 'connected'
          ? `Connected to ${link.hostname} (agent ${link.agentVersion}).`
          : null}
      </p>
      {error !== null ? (
        <p className="error-box" data-testid="fleet-error" role="alert">
          {error}
        </p>
      ) : null}

      {link.status === 'connected' && latest ? (
        <>
          <DeviceList inventory={latest.inventory} />
          <TelemetryChart frames={frames} />
          <EngineList engines={latest.engines} predictions={latest.predictions} />
        </>
      ) : null}
    </div>
  );
}
