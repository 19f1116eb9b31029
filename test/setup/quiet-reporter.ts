// vitest's default reporter, less the line it prints for each passing test file when no terminal shows its live
// summary (CI, a pipe): a run of a hundred files then prints what needs reading — failures, the reasons printed
// for skipped tests, and the totals.
import { DefaultReporter, type TestModule } from 'vitest/node';

export default class QuietReporter extends DefaultReporter {
  protected override printTestModule(testModule: TestModule): void {
    if (testModule.state() === 'failed') super.printTestModule(testModule);
  }
}
