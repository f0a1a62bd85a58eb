// The devices an agent probed: host, GPUs with their catalogue match, and probe warnings.
'use client';

import type { DeviceInventory } from '../../../agent/probes/types.ts';
import { formatBytes } from '../../_lib/format.ts';

/** Lists the host and each probed device. */
export function DeviceList({ inventory }: { inventory: DeviceInventory }) {
  const host = inventory.host;

  return (
    <section data-testid="fleet-devices">
      <h2>Devices</h2>
      <table className="fleet-table">
        <thead>
          <tr>
            <th>device</th>
            <th>catalogue</th>
            <th>memory</th>
            <th>in use</th>
            <th>usable by models</th>
            <th>load</th>
          </tr>
        </thead>
        <tbody>
          <tr data-testid="fleet-device">
            <td>
              {host.hostname}: {host.cpuModel ?? 'CPU'} ({host.cpuThreads ?? '?'} threads)
            </td>
            <td>host</td>
            <td>{formatBytes(host.memoryTotalBytes)}</td>
            <td>
              {host.memoryTotalBytes !== null && host.memoryAvailableBytes !== null
                ? formatBytes(host.memoryTotalBytes - host.memoryAvailableBytes)
                : '—'}
            </td>
            <td>{formatBytes(host.memoryAvailableBytes)}</td>
            <td>—</td>
          </tr>
          {inventory.devices.map((device) => (
            <tr key={`${device.vendor}-${device.index}`} data-testid="fleet-device">
              <td>
                GPU {device.index}: {device.name}
                {device.migEnabled ? ` (MIG: ${device.migInstances.length} slices)` : ''}
              </td>
              <td>{device.catalogueId ?? 'not in catalogue'}</td>
              <td>{formatBytes(device.memoryTotalBytes)}</td>
              <td>{formatBytes(device.memoryUsedBytes)}</td>
              <td>{formatBytes(device.usableMemoryBytes)}</td>
              <td>{device.utilizationPercent === null ? '—' : `${device.utilizationPercent} %`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {inventory.warnings.length > 0 ? (
        <ul className="fleet-warnings">
          {inventory.warnings.map((warning, index) => (
            <li key={index}>
              {warning.source}: {warning.message}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
