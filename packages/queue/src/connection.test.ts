import { createRedis, redisTarget } from './connection';

describe('redisTarget', () => {
  it('passes redis:// and rediss:// URLs through', () => {
    expect(redisTarget('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redisTarget('rediss://u:p@r.example:6380/1')).toBe('rediss://u:p@r.example:6380/1');
  });

  it('turns unix:///path into the socket path, its options kept as query parameters', () => {
    expect(redisTarget('unix:///run/redis/redis.sock')).toBe('/run/redis/redis.sock');
    expect(redisTarget('unix:///tmp/my%20dir/r.sock?db=2&password=s3cret')).toBe(
      '/tmp/my dir/r.sock?db=2&password=s3cret',
    );
  });

  it('refuses a unix: URL with a host or without a path', () => {
    expect(() => redisTarget('unix://redis/run/r.sock')).toThrow(/no host/);
    expect(() => redisTarget('unix:///')).toThrow(/no host/);
  });

  it('refuses a Redis Cluster over a Unix socket', () => {
    expect(() => createRedis('unix:///run/r.sock', 'producer', { cluster: true })).toThrow(
      /Cluster is reached over TCP/,
    );
  });
});
