import { kilobytesField, parseStat } from './proc-files';
import { parseTcpTable } from './proc-net';

describe('parseStat', () => {
  it('reads CPU ticks, the parent and the start time, with a command name holding ") ("', () => {
    const line =
      '4242 (node (x) y) S 17 4242 4242 0 -1 4194304 100 0 0 0 250 75 30 12 20 0 11 0 39096 ' +
      '3133440 361 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';
    expect(parseStat(line)).toEqual({
      pid: 4242,
      comm: 'node (x) y',
      ppid: 17,
      cpuTicks: 325,
      childrenCpuTicks: 42,
      startTime: 39096,
    });
  });

  it('refuses text that is not a stat line', () => {
    expect(() => parseStat('no parentheses here')).toThrow(/not a \/proc/);
  });
});

describe('kilobytesField', () => {
  const status = 'Name:\tnode\nVmHWM:\t  150000 kB\nVmRSS:\t  120000 kB\n';
  it('answers bytes, and undefined for a missing field', () => {
    expect(kilobytesField(status, 'VmRSS')).toBe(120_000 * 1024);
    expect(kilobytesField(status, 'VmHWM')).toBe(150_000 * 1024);
    expect(kilobytesField('Rss:   10 kB\nPss:  4 kB\n', 'Pss')).toBe(4096);
    expect(kilobytesField(status, 'Pss')).toBeUndefined();
  });
});

describe('parseTcpTable', () => {
  it('reads ports, the LISTEN state and inodes of IPv4 and IPv6 tables', () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9580 1 0 100 0 0 10 0',
      '   1: 0100007F:D2F0 0100007F:1538 01 00000000:00000000 00:00000000 00000000     0        0 7255 1 0 20 4 30 10 -1',
    ].join('\n');
    expect(parseTcpTable(tcp)).toEqual([
      { localPort: 8000, remotePort: 0, listening: true, inode: 9580 },
      { localPort: 54000, remotePort: 5432, listening: false, inode: 7255 },
    ]);
    const tcp6 = [
      '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000000000000000000001000000:18EB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4832 1 0 100 0 0 10 0',
    ].join('\n');
    expect(parseTcpTable(tcp6)).toEqual([
      { localPort: 6379, remotePort: 0, listening: true, inode: 4832 },
    ]);
  });
});
