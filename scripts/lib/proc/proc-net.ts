// Which process owns a TCP socket: /proc/net/tcp and tcp6 list the sockets with their inode,
// and /proc/<pid>/fd/* of the owner links to socket:[inode].
import { readdir, readFile, readlink } from 'node:fs/promises';

import { listPids } from './proc-files';

export interface TcpSocket {
  localPort: number;
  remotePort: number;
  /** LISTEN sockets wait for connections; the others are connections. */
  listening: boolean;
  inode: number;
}

const LISTEN = '0A';

/** Parses /proc/net/tcp or /proc/net/tcp6 (addresses are hex, ports hex after the colon). */
export function parseTcpTable(text: string): TcpSocket[] {
  const sockets: TcpSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10) continue;
    const port = (address: string) => parseInt(address.split(':')[1] ?? '', 16);
    sockets.push({
      localPort: port(fields[1]!),
      remotePort: port(fields[2]!),
      listening: fields[3] === LISTEN,
      inode: Number(fields[9]),
    });
  }
  return sockets;
}

export async function readTcpSockets(): Promise<TcpSocket[]> {
  const tables = await Promise.all(
    ['/proc/net/tcp', '/proc/net/tcp6'].map((file) => readFile(file, 'utf8').catch(() => '')),
  );
  return tables.flatMap(parseTcpTable);
}

/** The pids whose open files include one of these socket inodes. */
export async function pidsOwningSockets(inodes: ReadonlySet<number>): Promise<number[]> {
  if (inodes.size === 0) return [];
  const owners: number[] = [];
  for (const pid of await listPids()) {
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match && inodes.has(Number(match[1]))) {
        owners.push(pid);
        break;
      }
    }
  }
  return owners;
}

/** The processes listening on a local TCP port. */
export async function pidsListeningOn(port: number): Promise<number[]> {
  const sockets = await readTcpSockets();
  const inodes = new Set(
    sockets.filter((s) => s.listening && s.localPort === port).map((s) => s.inode),
  );
  return pidsOwningSockets(inodes);
}

/** The processes holding the client end of connections from these local ports to `remotePort`. */
export async function pidsConnectedFrom(
  localPorts: readonly number[],
  remotePort: number,
): Promise<number[]> {
  const wanted = new Set(localPorts);
  const sockets = await readTcpSockets();
  const inodes = new Set(
    sockets
      .filter((s) => !s.listening && s.remotePort === remotePort && wanted.has(s.localPort))
      .map((s) => s.inode),
  );
  return pidsOwningSockets(inodes);
}
