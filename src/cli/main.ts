#!/usr/bin/env node
/**
 * The `hfsched` command. Each command group lives in its own file and is
 * added here with one import and one `register...(program, context)` line.
 */
import { registerApplyCommand } from './apply.js';
import { registerConfigCommands } from './config.js';
import { registerHistoryCommand } from './history.js';
import { registerInitCommand } from './init.js';
import { registerMigrateCommand } from './migrate.js';
import { registerModelCommands } from './models.js';
import { registerDaemonCommand } from './daemon.js';
import { registerModelControlCommands } from './model-control.js';
import { registerModelSetCommand } from './model-set.js';
import { registerPullCommand } from './pull.js';
import { createProgram, findCommand } from './program.js';
import { registerRunNowCommand } from './run-now.js';
import { registerStatusCommand } from './status.js';
import { registerVerifyCommand } from './verify.js';
import { registerCacheCommands } from './cache.js';
import { registerScheduleCommands } from './schedules.js';

const { program, context, run } = createProgram();

registerInitCommand(program, context);
registerMigrateCommand(program, context);
registerModelCommands(program, context);
registerScheduleCommands(program, context);
registerConfigCommands(program, context);
registerHistoryCommand(program, context);
registerModelControlCommands(findCommand(program, 'model'), context);
registerModelSetCommand(findCommand(program, 'model'), context);
registerDaemonCommand(program, context);
registerStatusCommand(program, context);
registerRunNowCommand(program, context);
registerPullCommand(program, context);
registerApplyCommand(program, context);
registerVerifyCommand(program, context);
registerCacheCommands(program, context);
// Other groups go here, e.g. registerPullCommand(program, context);
// `model pause|resume|retry` extend the model command: registerModelControlCommands(findCommand(program, 'model'), context);

process.exitCode = await run(process.argv);
