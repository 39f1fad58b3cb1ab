import { backupCommand } from './commands/backup.js';
import { benchCommand } from './commands/bench.js';
import { countCommand } from './commands/count.js';
import { cursorsCommand } from './commands/cursors.js';
import { deleteCommand } from './commands/delete.js';
import { keysCommand } from './commands/keys.js';
import { produceCommand } from './commands/produce.js';
import { scanCommand } from './commands/scan.js';
import { sealCommand } from './commands/seal.js';
import { segmentsCommand } from './commands/segments.js';
import { statsCommand } from './commands/stats.js';
import { tailCommand } from './commands/tail.js';
import { trimCommand } from './commands/trim.js';
import type { Command } from './Command.js';

/** `odlog serve` lives with the broker (its flags are the broker's settings); it is loaded only when run. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run a broker (odlog serve --help lists every setting).',
  help: () => 'odlog serve --help lists every broker setting',
  async run(argv) {
    const { serve } = await import('./commands/serve.js');
    try {
      return await serve(argv);
    } catch (error) {
      // The storage's typed errors (a locked or foreign data directory) are one line, not a stack.
      const { LogError } = await import('../index.js');
      if (error instanceof LogError) throw new (await import('./CliError.js')).CliError(error.message, 1);
      throw error;
    }
  },
};

/** Every subcommand, in the order `odlog --help` lists them. */
export const commands: readonly Command[] = [serveCommand, produceCommand, scanCommand, tailCommand, countCommand, keysCommand, segmentsCommand, cursorsCommand, trimCommand, deleteCommand, backupCommand, sealCommand, statsCommand, benchCommand];
