// .env.example documents every variable the processes read, with valid defaults, and (in its
// deployment section) every variable the Docker Compose files use.
import { parseEnv } from '@predictq/config';

import { apiEnvSchema } from '../../apps/api/src/config';
import { workerEnvSchema } from '../../apps/worker/src/config';
import { COMPOSE_FILES, composeVariables, envExampleSections } from '../support/compose';

const { app, deployment } = envExampleSections();
const schemas = { api: apiEnvSchema, worker: workerEnvSchema };

describe('.env.example', () => {
  it('lists every variable of every process outside the deployment section, and nothing else', () => {
    const read = new Set(Object.values(schemas).flatMap((schema) => Object.keys(schema.shape)));
    expect(Object.keys(app).sort()).toEqual([...read].sort());
  });

  it.each(Object.entries(schemas))(
    'holds values the %s accepts, equal to its defaults',
    (_name, schema) => {
      const fromExample = parseEnv(schema, app);
      expect(fromExample).toEqual(parseEnv(schema, {}));
    },
  );

  it('lists every variable the compose files use', () => {
    const documented = new Set([...Object.keys(app), ...Object.keys(deployment)]);
    const missing = COMPOSE_FILES.flatMap((file) =>
      [...composeVariables(file)]
        .filter((name) => !documented.has(name))
        .map((n) => `${file}: ${n}`),
    );
    expect(missing).toEqual([]);
  });

  it('has only deployment variables that a compose file uses, none of them an app variable', () => {
    const used = new Set(COMPOSE_FILES.flatMap((file) => [...composeVariables(file)]));
    expect(Object.keys(deployment).filter((name) => !used.has(name))).toEqual([]);
    expect(Object.keys(deployment).filter((name) => name in app)).toEqual([]);
  });
});
