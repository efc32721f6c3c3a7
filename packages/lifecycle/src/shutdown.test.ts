import { PassThrough } from 'node:stream';

import { createLogger } from '@predictq/logging';

import { ShutdownRegistry } from './shutdown';

const logger = createLogger({ service: 'test', format: 'json', stream: new PassThrough() });

describe('ShutdownRegistry', () => {
  it('runs the steps once, in order, and exits 0', async () => {
    const calls: string[] = [];
    const exits: number[] = [];
    const registry = new ShutdownRegistry({ logger, deadlineMs: 1000, exit: (c) => exits.push(c) })
      .add('server', () => {
        calls.push('server');
      })
      .add('db', async () => {
        await new Promise((r) => setTimeout(r, 5));
        calls.push('db');
      });
    await Promise.all([registry.shutdown('SIGTERM'), registry.shutdown('SIGTERM')]);
    expect(calls).toEqual(['server', 'db']);
    expect(exits).toEqual([0]);
  });

  it('keeps closing after a failing step and exits 1', async () => {
    const calls: string[] = [];
    const exits: number[] = [];
    const registry = new ShutdownRegistry({ logger, deadlineMs: 1000, exit: (c) => exits.push(c) })
      .add('broken', () => {
        throw new Error('boom');
      })
      .add('db', () => {
        calls.push('db');
      });
    await registry.shutdown('SIGTERM');
    expect(calls).toEqual(['db']);
    expect(exits).toEqual([1]);
  });

  it('forces exit with 128+signal when the deadline passes', async () => {
    const exits: number[] = [];
    const registry = new ShutdownRegistry({ logger, deadlineMs: 20, exit: (c) => exits.push(c) });
    registry.add('hangs', () => new Promise((r) => setTimeout(r, 100)));
    await registry.shutdown('SIGTERM');
    expect(exits[0]).toBe(143);
  });
});
