// Ends every test run with one plain line, "Tests: N passed, N failed", that CI reads whatever the runner.
// When more than one project ran (single Redis and Redis Cluster), a line per project comes just before it.
import type { Reporter, TestModule } from 'vitest/node';

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  pending: number;
}

function count(testModules: ReadonlyArray<TestModule>): Counts {
  const counts = { passed: 0, failed: 0, skipped: 0, pending: 0 };
  for (const module of testModules) {
    if (module.state() === 'failed' && [...module.children.allTests()].length === 0) counts.failed++;
    for (const test of module.children.allTests()) counts[test.result().state]++;
  }
  return counts;
}

function summary({ passed, failed, skipped, pending }: Counts): string {
  return `${passed} passed, ${failed} failed${skipped + pending ? `, ${skipped + pending} skipped` : ''}`;
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    // In the order the config declares the projects.
    const declared = testModules[0]?.project.vitest.projects.map((project) => project.name) ?? [];
    const projects = declared.filter((name) => testModules.some((module) => module.project.name === name));
    let out = '\n';
    if (projects.length > 1) {
      for (const project of projects) {
        out += `  ${project}: ${summary(count(testModules.filter((module) => module.project.name === project)))}\n`;
      }
    }
    process.stdout.write(`${out}Tests: ${summary(count(testModules))}\n`);
  }
}
