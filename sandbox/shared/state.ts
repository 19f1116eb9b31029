import type { z } from 'zod';
import { CallCounter } from './call-counter.ts';
import { FaultSet, type FaultKind } from './faults.ts';

/** A change of settings: each setting it names replaces the current one; a group of settings is merged. */
export type ParsedSettingsPatch<Settings> = {
  [Key in keyof Settings]?: Settings[Key] extends object ? Partial<Settings[Key]> : Settings[Key];
};

export interface SimulatorStateOptions<Settings, SettingsPatch, Kind extends FaultKind> {
  /** The fault kinds the simulator supports. */
  faultKinds: readonly Kind[];
  /** The simulator's defaults. */
  defaults: Settings;
  /** This instance's starting settings, as a patch of the defaults; restored by `reset()`. */
  settings: SettingsPatch;
  /** The simulator's control schema of a patch. */
  patchSchema: z.ZodType<ParsedSettingsPatch<Settings>, SettingsPatch>;
}

function applyPatch<Settings extends object>(
  settings: Settings,
  patch: ParsedSettingsPatch<Settings>,
): Settings {
  const next = { ...settings };
  for (const key of Object.keys(patch) as (keyof Settings)[]) {
    const value = patch[key];
    if (value === undefined) continue;
    const current = settings[key];
    next[key] = (
      typeof current === 'object' && current !== null ? { ...current, ...value } : value
    ) as Settings[keyof Settings];
  }
  return next;
}

/**
 * What every simulator's state holds besides its records: faults, call counts and settings. Each
 * simulator's state extends it with its records and the controls over them.
 */
export class SimulatorState<Settings extends object, SettingsPatch, Kind extends FaultKind = FaultKind> {
  readonly faults: FaultSet<Kind>;
  readonly calls = new CallCounter();
  private readonly initialSettings: Settings;
  private readonly patchSchema: z.ZodType<ParsedSettingsPatch<Settings>, SettingsPatch>;
  private current: Settings;

  constructor(options: SimulatorStateOptions<Settings, SettingsPatch, Kind>) {
    this.faults = new FaultSet(options.faultKinds);
    this.patchSchema = options.patchSchema;
    this.initialSettings = applyPatch(options.defaults, this.patchSchema.parse(options.settings));
    this.current = this.initialSettings;
  }

  /** The settings in force (read-only; change them with `updateSettings`). */
  get settings(): Readonly<Settings> {
    return this.current;
  }

  getSettings(): Settings {
    return structuredClone(this.current);
  }

  updateSettings(patch: SettingsPatch): Settings {
    this.current = applyPatch(this.current, this.patchSchema.parse(patch));
    return this.getSettings();
  }

  /** Forgets faults and call counts and restores the starting settings: the shared part of each simulator's reset. */
  protected resetControls(): void {
    this.faults.clear();
    this.calls.reset();
    this.current = this.initialSettings;
  }

  /** Ends background work before the server closes (the Loop simulator's pending webhook deliveries). */
  stop(): Promise<void> {
    return Promise.resolve();
  }
}
