// The fleet page: connect to a local agent (address and token, or a pairing link) and watch it.
'use client';

import { useEffect, useState } from 'react';

import { DeviceList } from './_parts/DeviceList.tsx';
import { EngineList } from './_parts/EngineList.tsx';
import { agentUrlProblem, parsePairingFragment } from './_parts/fleet-data.ts';
import { TelemetryChart } from './_parts/TelemetryChart.tsx';
import { useAgent } from './_parts/use-agent.ts';
import './fleet.css';

const DEFAULT_AGENT_URL = 'ws://127.0.0.1:7420/agent';

/** Connects to one agent and shows its devices, engines and live memory. */
export default function FleetPage() {
  const { link, frames, connect, disconnect, refresh } = useAgent();
  const [url, setUrl] = useState(DEFAULT_AGENT_URL);
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const paired = parsePairingFragment(window.location.hash);
    if (!paired) return;
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    setUrl(paired.url);
    connect(paired.url, paired.token);
  }, [connect]);

  const submit = () => {
    const urlProblem = agentUrlProblem(url);
    setProblem(urlProblem ?? (token.trim() === '' ? 'Paste the token the agent printed.' : null));
    if (urlProblem === null && token.trim() !== '') connect(url.trim(), token.trim());
  };

  const latest = frames[frames.length - 1];

  return (
    <div className="fleet">
      <h1>Fleet</h1>
      <p>
        Run <code>npx hwledger agent</code> on a machine, then open the link it prints or paste its
        address and token here. The agent listens on this machine only (loopback).
      </p>
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

      <p data-testid="agent-status" data-status={link.status} role="status">
        {link.status === 'idle' ? 'Not connected.' : null}
        {link.status === 'connecting' ? `Connecting to ${link.url}…` : null}
        {link.status === 'connected'
          ? `Connected to ${link.hostname} (agent ${link.agentVersion}).`
          : null}
      </p>
      {problem ? <p className="error-box">{problem}</p> : null}
      {link.status === 'refused' ? (
        <p className="error-box" data-testid="agent-refused">
          {link.message}
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
