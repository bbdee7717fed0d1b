/**
 * `hfsched model pause|resume|retry <model>`. With a running daemon the
 * request goes to it (it alone can stop a download it runs, or drop a model
 * from its queue); without one, the change is made in the database directly.
 *
 *   pause   stop the model's download (partial files kept) or keep it from
 *           starting; a paused model waits for `resume`
 *   resume  paused -> pending (joins the queue if a window is open)
 *   retry   failed -> pending, its retry count starting again at 0;
 *           completed -> verified now (offline) and pending, so the next
 *           run checks its revision again and fetches only what is missing
 */
import type { Command } from 'commander';
import { sendToDaemon } from '../control/daemon-client.js';
import { readLiveness } from '../control/liveness.js';
import { applyModelCommand, NO_RUNNING_DOWNLOADS, type ModelCommand } from '../control/model-commands.js';
import type { CliContext } from './context.js';
import { findModel } from './model-reference.js';
import { verifyModel } from '../download/model-verify.js';
import type { Store } from '../store/index.js';
import type { Model } from '../store/types.js';

/**
 * `retry` of a completed model: verify it here (hashing is local work, no
 * daemon needed), discard damaged blobs, and make it pending: the next run
 * (or hfsched pull) resolves its revision again and fetches only what lacks.
 */
async function recheckCompleted(store: Store, model: Model, context: CliContext): Promise<string> {
  const outcome = await verifyModel(store, model, { settings: context.settings(store), env: context.env });
  if (outcome.state === 'damaged') return `model ${model.name} is pending for repair: ${outcome.reason}`;
  store.models.markForRepair(model.id, 'retry: checked again at the next run');
  const intact = outcome.state === 'ok' ? `its ${outcome.files} files are intact; ` : '';
  return `model ${model.name} is pending: ${intact}the next run checks its revision again and fetches only what is missing`;
}

function registerControl(model: Command, context: CliContext, command: ModelCommand, description: string): void {
  model
    .command(command)
    .description(description)
    .argument('<model>', 'repo id (org/name) or id from hfsched model list')
    .option('--json', 'print the model, as it is after the change, as JSON')
    .action(async (reference: string, options: { json?: boolean }) => {
      const { answer, model } = await context.withStore(async (store) => {
        const found = findModel(store, reference);
        let answer: string;
        if (command === 'retry' && found.status === 'completed') {
          answer = await recheckCompleted(store, found, context);
          // As docs/daemon.md says of a retried model: in an open window it joins the queue at once.
          if (readLiveness(store).liveness.alive)
            answer += `; the daemon says: ${await sendToDaemon(store, 'retry', found.id)}`;
        } else if (readLiveness(store).liveness.alive) answer = await sendToDaemon(store, command, found.id);
        else answer = applyModelCommand(store, command, found, NO_RUNNING_DOWNLOADS);
        return { answer, model: store.models.get(found.id) ?? found };
      });
      if (options.json) return context.output.json(model);
      context.output.done(answer.charAt(0).toUpperCase() + answer.slice(1));
    });
}

/** Adds `pause`, `resume` and `retry` to the `model` command. */
export function registerModelControlCommands(model: Command, context: CliContext): void {
  registerControl(model, context, 'pause', 'pause a model: stop its download (partial files kept) until resumed');
  registerControl(model, context, 'resume', 'resume a paused model: it becomes pending (and joins an open window)');
  registerControl(
    model,
    context,
    'retry',
    'retry a failed model (pending, retry count reset), or re-check and repair a completed one',
  );
}
