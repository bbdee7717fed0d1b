/**
 * `hfsched model pause|resume|retry <model>`. With a running daemon the
 * request goes to it (it alone can stop a download it runs, or drop a model
 * from its queue); without one, the change is made in the database directly.
 *
 *   pause   stop the model's download (partial files kept) or keep it from
 *           starting; a paused model waits for `resume`
 *   resume  paused -> pending (joins the queue if a window is open)
 *   retry   failed -> pending, its retry count starting again at 0
 */
import type { Command } from 'commander';
import { sendToDaemon } from '../control/daemon-client.js';
import { readLiveness } from '../control/liveness.js';
import { applyModelCommand, NO_RUNNING_DOWNLOADS, type ModelCommand } from '../control/model-commands.js';
import type { CliContext } from './context.js';
import { findModel } from './model-reference.js';

function registerControl(model: Command, context: CliContext, command: ModelCommand, description: string): void {
  model
    .command(command)
    .description(description)
    .argument('<model>', 'repo id (org/name) or id from hfsched model list')
    .action(async (reference: string) => {
      const answer = await context.withStore(async (store) => {
        const found = findModel(store, reference);
        if (readLiveness(store).liveness.alive) return sendToDaemon(store, command, found.id);
        return applyModelCommand(store, command, found, NO_RUNNING_DOWNLOADS);
      });
      context.output.text(answer.charAt(0).toUpperCase() + answer.slice(1));
    });
}

/** Adds `pause`, `resume` and `retry` to the `model` command. */
export function registerModelControlCommands(model: Command, context: CliContext): void {
  registerControl(model, context, 'pause', 'pause a model: stop its download (partial files kept) until resumed');
  registerControl(model, context, 'resume', 'resume a paused model: it becomes pending (and joins an open window)');
  registerControl(model, context, 'retry', 'retry a failed model: it becomes pending with its retry count reset');
}
