import { CallCounter } from './call-counter.ts';
import { FaultSet, type FaultKind } from './faults.ts';

export interface SimulatorStateOptions<Settings, SettingsPatch, Kind extends FaultKind> {
  /** The fault kinds the simulator supports. */
  faultKinds: readonly Kind[];
  /** Starting settings, restored by `reset()`. */
  settings: Settings;
  /** Validates a patch and applies it to the settings. */
  patchSettings: (settings: Settings, patch: SettingsPatch) => Settings;
}

/**
 * What every simulator's state holds besides its records: faults, call counts and settings. Each
 * simulator's state extends it with its records and the controls over them.
 */
export class SimulatorState<Settings, SettingsPatch, Kind extends FaultKind = FaultKind> {
  readonly faults: FaultSet<Kind>;
  readonly calls = new CallCounter();
  private readonly initialSettings: Settings;
  private readonly patchSettings: (settings: Settings, patch: SettingsPatch) => Settings;
  private current: Settings;

  constructor(options: SimulatorStateOptions<Settings, SettingsPatch, Kind>) {
    this.faults = new FaultSet(options.faultKinds);
    this.initialSettings = options.settings;
    this.current = options.settings;
    this.patchSettings = options.patchSettings;
  }

  /** The settings in force (read-only; change them with `updateSettings`). */
  get settings(): Readonly<Settings> {
    return this.current;
  }

  getSettings(): Settings {
    return structuredClone(this.current);
  }

  updateSettings(patch: SettingsPatch): Settings {
    this.current = this.patchSettings(this.current, patch);
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
