// Every command and option explains itself, usage errors exit 2, and the installed `loop-finale` bin runs.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, runCli } from '../../cli/program.ts';
import { projectRoot } from '../../temporal/binaries.ts';

const quietIo = { out: () => undefined, err: () => undefined };

function leafCommands(command: Command, prefix: string[] = []): string[][] {
  return command.commands
    .filter((c) => c.name() !== 'help')
    .flatMap((c) => {
      const path = [...prefix, c.name()];
      return c.commands.length > 0 ? leafCommands(c, path) : [path];
    });
}

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => (out += t), err: (t) => (err += t) }, {});
  return { code, out, err };
}

describe('CLI help and usage', () => {
  const commands = leafCommands(buildProgram(quietIo));

  it('has the commands the operators need', () => {
    expect(commands.map((c) => c.join(' '))).toEqual([
      'invite create',
      'tenants list',
      'return show',
      'return retry',
      'return fix-lines',
      'history export',
      'history replay',
      'demo',
    ]);
  });

  it.each(commands.map((c) => [c.join(' '), c]))(
    '%s --help describes it and every option',
    async (_, path) => {
      const help = await run([...path, '--help']);
      expect(help.code).toBe(0);
      expect(help.out).toContain(`Usage: loop-finale ${path.join(' ')}`);
      const description = help.out.split('\n\n')[1] ?? '';
      expect(description.trim().length).toBeGreaterThan(20);
      // Each option and argument line carries text after its name.
      for (const row of help.out
        .split(/Options:|Arguments:/)
        .slice(1)
        .join('\n')
        .split('\n')) {
        if (/^\s+-/.test(row) || /^\s+<?\w+>?\s{2,}/.test(row)) expect(row.trim()).toMatch(/\S+\s{2,}\S/);
      }
    },
  );

  it('root --help lists every command group, the token sources and the exit codes', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const group of ['invite', 'tenants', 'return', 'history', 'demo']) expect(help.out).toContain(group);
    expect(help.out).toMatch(/ADMIN_TOKEN/);
    expect(help.out).toMatch(/Exit codes: 0 done, 1 .*, 2 /);
  });

  it('usage errors exit 2 with a hint', async () => {
    const missing = await run(['return', 'show', 'demo']);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/missing required argument 'loopReturnId'/);
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown command/);
    const badNumber = await run(['invite', 'create', '--ttl-hours', 'soon']);
    expect(badNumber.code).toBe(2);
    expect(badNumber.err).toMatch(/must be a positive whole number/);
  });

  it('the loop-finale bin runs the CLI from any folder', async () => {
    const { stdout } = await promisify(execFile)(`${projectRoot}/cli/bin.js`, ['tenants', '--help'], {
      cwd: '/',
    });
    expect(stdout).toContain('Usage: loop-finale tenants');
  });
});
