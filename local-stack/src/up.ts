// `npm start`: run the local stack in the foreground until Ctrl-C. (`tributary up` does the same.)
import { quickStart, runLocalStack } from './stack.js';

try {
  const stack = await runLocalStack();
  process.stderr.write(quickStart(stack));
  await stack.done;
  process.stderr.write('Tributary stopped.\n');
} catch (err) {
  process.stderr.write(`tributary: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
