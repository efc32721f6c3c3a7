// npm run clients: the operator's command line for API clients and keys, working directly on the
// database (DATABASE_URL), like the operator routes. A key is printed once, when it is made.
//   npm run clients -- create <name> [--rate-limit <n>]   a client and its first key
//   npm run clients -- list                                clients, their keys (prefixes only)
//   npm run clients -- key <client>                        another key for a client
//   npm run clients -- revoke <client>                     revoke a client and so all its keys
//   npm run clients -- revoke-key <client> <key>           revoke one key (its id or prefix)
//   npm run clients -- limit <client> <n|default>          the client's own rate limit
//   npm run clients -- webhook-secret <client> [--keep-previous] [--secret <whsec_…>]
//                                                          set or rotate its webhook signing secret
//   npm run clients -- drop-webhook-secret <client> [--previous]
//                                                          WEBHOOK_SECRET signs again; or end a rotation
// <client> is a client's id or name ("anonymous" is the client of requests without a key).
import { createClientWithKey, isAnonymousClient, issueApiKey } from '@predictq/clients';
import { commonEnvSchema, parseEnv } from '@predictq/config';
import {
  clearClientWebhookSecret,
  type ClientWithKeys,
  type Db,
  findClient,
  listClients,
  openMigratedDatabase,
  revokeApiKey,
  revokeClient,
  setClientRateLimit,
  setClientWebhookSecret,
  webhookSecretCount,
} from '@predictq/db';
import { generateWebhookSecret, validSecrets } from '@predictq/webhooks';
import { Command, InvalidArgumentError } from 'commander';

import { integer, USAGE_ERROR } from './lib/cli';

class Refused extends Error {}

const when = (date: Date | null) => date?.toISOString() ?? '-';

function describe(client: ClientWithKeys): string {
  const state = client.revoked_at ? `revoked ${when(client.revoked_at)}` : 'active';
  const limit =
    client.rate_limit === null ? 'default rate limit' : `rate limit ${client.rate_limit}`;
  const secrets = webhookSecretCount(client.webhook_secret);
  const signing = secrets === 0 ? 'WEBHOOK_SECRET signs' : `${secrets} own webhook secret(s)`;
  const lines = [`${client.name}  ${client.id}  ${state}, ${limit}, ${signing}`];
  for (const key of client.keys) {
    const keyState = key.revoked_at ? `revoked ${when(key.revoked_at)}` : 'active';
    lines.push(
      `  key ${key.prefix}…  ${key.id}  created ${when(key.created_at)}, last used ${when(key.last_used_at)}, ${keyState}`,
    );
  }
  return lines.join('\n');
}

async function clientNamed(db: Db, idOrName: string): Promise<ClientWithKeys> {
  const client = await findClient(db, idOrName);
  if (!client) throw new Refused(`no client "${idOrName}"`);
  return client;
}

function printKey(client: { name: string }, key: { prefix: string; key: string }): void {
  console.log(`API key of ${client.name} (shown once, store it now):\n${key.key}`);
}

const rateLimitArgument = (value: string): number | null =>
  value === 'default' ? null : integer(1, 2_147_483_647)(value);

async function withDatabase(fn: (db: Db) => Promise<void>): Promise<void> {
  const config = parseEnv(commonEnvSchema);
  const { database } = await openMigratedDatabase({ url: config.DATABASE_URL, poolSize: 1 });
  try {
    await fn(database.db);
  } finally {
    await database.close();
  }
}

function program(): Command {
  const cli = new Command('clients').description('Manage API clients and their keys.');
  cli
    .command('create <name>')
    .description('create a client and its first key')
    .option('--rate-limit <n>', 'requests per rate-limit window', integer(1, 2_147_483_647))
    .action((name: string, options: { rateLimit?: number }) =>
      withDatabase(async (db) => {
        const created = await createClientWithKey(db, { name, rateLimit: options.rateLimit });
        if (created.kind === 'name_taken') throw new Refused(`a client named "${name}" exists`);
        console.log(`created client ${created.client.name} (${created.client.id})`);
        printKey(created.client, created.key);
      }),
    );
  cli
    .command('list')
    .description('list the clients and their keys')
    .action(() =>
      withDatabase(async (db) => {
        for (const client of await listClients(db)) console.log(describe(client));
      }),
    );
  cli
    .command('key <client>')
    .description('issue another key for a client')
    .action((idOrName: string) =>
      withDatabase(async (db) => {
        const client = await clientNamed(db, idOrName);
        if (isAnonymousClient(client.id)) throw new Refused('the anonymous client has no keys');
        if (client.revoked_at) throw new Refused(`client ${client.name} is revoked`);
        printKey(client, await issueApiKey(db, client.id));
      }),
    );
  cli
    .command('revoke <client>')
    .description('revoke a client: none of its keys works any more')
    .action((idOrName: string) =>
      withDatabase(async (db) => {
        const client = await clientNamed(db, idOrName);
        if (isAnonymousClient(client.id))
          throw new Refused('the anonymous client cannot be revoked');
        await revokeClient(db, client.id);
        console.log(`revoked client ${client.name}`);
      }),
    );
  cli
    .command('revoke-key <client> <key>')
    .description("revoke one key of a client, by the key's id or prefix")
    .action((idOrName: string, key: string) =>
      withDatabase(async (db) => {
        const client = await clientNamed(db, idOrName);
        const revoked = await revokeApiKey(db, client.id, key.replace(/…$/, ''));
        if (!revoked) throw new Refused(`client ${client.name} has no active key "${key}"`);
        console.log(`revoked key ${revoked.prefix}… of ${client.name}`);
      }),
    );
  cli
    .command('limit <client> <requests>')
    .description("set a client's requests per rate-limit window, or 'default'")
    .action((idOrName: string, requests: string) =>
      withDatabase(async (db) => {
        const client = await clientNamed(db, idOrName);
        const limit = rateLimitArgument(requests);
        await setClientRateLimit(db, client.id, limit);
        console.log(
          `${client.name}: ${limit === null ? 'the default rate limit' : `${limit} requests per window`}`,
        );
      }),
    );
  cli
    .command('webhook-secret <client>')
    .description("set the client's webhook signing secret (printed once), or rotate it")
    .option('--keep-previous', 'the current secret keeps signing too, until the rotation ends')
    .option('--secret <whsec>', 'this secret instead of a generated one', (value: string) => {
      if (!validSecrets(value) || /\s/.test(value))
        throw new InvalidArgumentError('not one whsec_ secret (whsec_ and base64)');
      return value;
    })
    .action((idOrName: string, options: { keepPrevious?: boolean; secret?: string }) =>
      withDatabase(async (db) => {
        const client = await clientNamed(db, idOrName);
        const secret = options.secret ?? generateWebhookSecret();
        const updated = await setClientWebhookSecret(
          db,
          client.id,
          secret,
          options.keepPrevious === true,
        );
        const count = webhookSecretCount(updated?.webhook_secret ?? null);
        console.log(
          `webhook secret of ${client.name} (shown once, store it now; ${count} sign):\n${secret}`,
        );
      }),
    );
  cli
    .command('drop-webhook-secret <client>')
    .description("remove the client's own webhook secrets: WEBHOOK_SECRET signs again")
    .option('--previous', 'end a rotation instead: only the newest secret keeps signing')
    .action((idOrName: string, options: { previous?: boolean }) =>
      withDatabase(async (db) => {
        const client = await clientNamed(db, idOrName);
        const updated = await clearClientWebhookSecret(db, client.id, options.previous === true);
        const count = webhookSecretCount(updated?.webhook_secret ?? null);
        console.log(
          count === 0
            ? `${client.name}: WEBHOOK_SECRET signs its webhooks`
            : `${client.name}: ${count} own webhook secret signs`,
        );
      }),
    );
  return cli;
}

program()
  .parseAsync()
  .catch((error: unknown) => {
    if (error instanceof Refused || error instanceof InvalidArgumentError) {
      console.error(error.message);
      process.exit(USAGE_ERROR);
    }
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
