import { createActor, fromPromise, SimulatedClock, type Actor } from 'xstate';
import { loadConfig } from '../../src/config/load';
import { gateSettingsFromConfig } from '../../src/gate/settings';
import type { GateSettings } from '../../machines/gate-context';
import type { FaceLabel, PersonObservation, PromptId } from '../../machines/gate-events';
import { gateMachine, type DecisionReport } from '../../machines/gate.machine';
import { gateStateName, indicationFor, type Indication } from '../../machines/gate-outputs';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}
export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** Lets promise actors settle: their results arrive through microtasks. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/** A face at the door: 100 px high, above the default decision size (44 px at 640 wide). */
export const FACE_PX = 100;

/** One person in front of the camera, as the tracker would report them each frame. */
export type Person = Omit<PersonObservation, 'id' | 'confidence' | 'box'>;

export type Effect =
  | { t: number; kind: 'say'; prompt: PromptId }
  | { t: number; kind: 'notifyStaff'; reason: string | null }
  | { t: number; kind: 'decision'; report: DecisionReport }
  | { t: number; kind: 'forcedPassage' };

export interface HarnessOptions {
  settings?: Partial<GateSettings>;
  /** Warm-up result; default resolves at once. */
  warmUp?: () => Promise<void>;
  /** Temperature reads, in order; default: every read waits for `temperature` deferreds the test resolves. */
  readTemperature?: () => Promise<number>;
}

/** Default settings are the config defaults, so tests exercise the shipped timings. */
export function defaultSettings(over: Partial<GateSettings> = {}): GateSettings {
  return { ...gateSettingsFromConfig(loadConfig({ env: {} })), ...over };
}

/** The real gate machine with a simulated clock, recorded effects and test-controlled actors. */
export class GateHarness {
  readonly clock = new SimulatedClock();
  readonly effects: Effect[] = [];
  readonly temperatureReads: Deferred<number>[] = [];
  readonly actor: Actor<typeof gateMachine>;
  readonly settings: GateSettings;
  /** People currently in front of the camera and the label each is showing. */
  people = new Map<string, Person>();
  private frameNo = 0;
  private nextId = 1;

  constructor(opts: HarnessOptions = {}) {
    this.settings = defaultSettings(opts.settings);
    const now = () => this.clock.now();
    const machine = gateMachine.provide({
      actors: {
        warmUpDetector: fromPromise(opts.warmUp ?? (async () => {})),
        readTemperature: fromPromise(
          opts.readTemperature ??
            (() => {
              const d = deferred<number>();
              this.temperatureReads.push(d);
              return d.promise;
            }),
        ),
      },
      actions: {
        say: (_, p) => this.effects.push({ t: now(), kind: 'say', prompt: p.prompt }),
        notifyStaff: (_, p) => this.effects.push({ t: now(), kind: 'notifyStaff', reason: p.reason }),
        reportDecision: (_, p) => this.effects.push({ t: now(), kind: 'decision', report: p }),
        reportForcedPassage: () => this.effects.push({ t: now(), kind: 'forcedPassage' }),
      },
    });
    this.actor = createActor(machine, { input: this.settings, clock: this.clock });
  }

  start(): this {
    this.actor.start();
    return this;
  }

  get snapshot() {
    return this.actor.getSnapshot();
  }
  get state(): string {
    return gateStateName(this.snapshot);
  }
  get outputs(): Indication {
    return indicationFor(this.snapshot);
  }
  prompts(): PromptId[] {
    return this.effects.filter((e): e is Extract<Effect, { kind: 'say' }> => e.kind === 'say').map((e) => e.prompt);
  }

  /** Boots through the self-test (three LED blinks) and a warm-up that resolves at once. */
  async boot(): Promise<void> {
    await flush();
    // SimulatedClock fires only timers already due, so each blink is its own step.
    for (let i = 0; i < 3; i++) this.clock.increment(this.settings.selfTestBlinkMs);
    await flush();
  }

  /** Someone walks up (they have moved) and stands at the door: a face of FACE_PX, unless `over` says otherwise. */
  addPerson(label: FaceLabel = 'unknown', inZone = true, over: Partial<Person> = {}): string {
    const id = `p${this.nextId++}`;
    this.people.set(id, { label, inZone, facePx: FACE_PX, moved: true, ...over });
    return id;
  }
  /** Everyone shows `label` (and moves: a face still as a photo starts moving); someone walks up first when nobody the gate decides on is there. */
  setAll(label: FaceLabel): void {
    const counts = (p: Person) => !p.ignored && p.inZone && p.facePx >= this.settings.decideMinFacePx;
    if (![...this.people.values()].some(counts)) this.addPerson(label);
    for (const p of this.people.values()) {
      p.label = label;
      if (!p.ignored) p.moved = true;
    }
  }

  /** One camera frame `dt` ms after the last, showing the current people (or the ones given). */
  frame(dt = 100, people?: PersonObservation[]): void {
    this.clock.increment(dt);
    const obs = people ?? [...this.people].map(([id, p]) => ({ id, confidence: 0.9, ...p }));
    this.actor.send({ type: 'PEOPLE', t: this.clock.now(), frame: ++this.frameNo, people: obs });
  }
  frames(n: number, dt = 100): void {
    for (let i = 0; i < n; i++) this.frame(dt);
  }
  /** Lets `ms` pass with frames every 100 ms showing the current people. */
  live(ms: number): void {
    const steps = Math.floor(ms / 100);
    this.frames(steps);
    if (ms % 100) this.frame(ms % 100);
  }
  /** Everyone walks away, then personGoneMs passes with empty frames. */
  leave(): void {
    this.people.clear();
    this.live(this.settings.personGoneMs + 100);
  }
}

/** A started harness, booted to idle. */
export async function booted(opts: HarnessOptions = {}): Promise<GateHarness> {
  const h = new GateHarness(opts).start();
  await h.boot();
  expect(h.state).toBe('idle');
  return h;
}
