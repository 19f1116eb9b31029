// What the stand-alone gateway and worker processes (production) start from: the environment, a logger,
// and the address of the Temporal server they join, which npm start would otherwise run itself.
import { loadEnvOrExit, type Env } from '../config/env.ts';
import { createLogger, type Logger } from '../observability/logger.ts';

export interface Standalone {
  env: Env;
  logger: Logger;
  temporalAddress: string;
}

/** Loads the environment, or exits with every problem; exits saying so when TEMPORAL_ADDRESS is unset. */
export function loadStandaloneEnv(role: 'gateway' | 'worker'): Standalone {
  const env = loadEnvOrExit();
  const logger = createLogger({ level: env.LOG_LEVEL });
  if (!env.TEMPORAL_ADDRESS) {
    logger.fatal(`TEMPORAL_ADDRESS is required for a stand-alone ${role} (npm start runs an embedded one)`);
    process.exit(1);
  }
  return { env, logger, temporalAddress: env.TEMPORAL_ADDRESS };
}
