// The warning shown when the agent address is not this machine, with the explicit opt-in.
'use client';

/**
 * Says that `host` is not this machine and what connecting would do (send the pairing token
 * there); the tick box is the user's explicit choice to connect anyway.
 */
export function RemoteWarning({
  host,
  allowed,
  onChange,
}: {
  host: string;
  allowed: boolean;
  onChange: (allowed: boolean) => void;
}) {
  return (
    <div className="fleet-remote" data-testid="remote-warning" role="alert">
      <p>
        <strong>{host} is not this machine.</strong> The agent listens on loopback (127.0.0.1)
        unless it was started with <code>--host</code>, and connecting sends the pairing token to
        this address. Connect only if you started the agent there yourself.
      </p>
      <label>
        <input
          type="checkbox"
          data-testid="remote-confirm"
          checked={allowed}
          onChange={(event) => onChange(event.target.checked)}
        />{' '}
        Connect to this address anyway
      </label>
    </div>
  );
}
