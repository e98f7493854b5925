import { createActor, fromPromise, type Actor } from 'xstate';
import type { Clock } from '../../hardware/clock';
import type { Hardware } from '../../hardware/create-hardware';
import { bindGateEvents } from '../../hardware/input-events';
import { enterSafeState } from '../../hardware/safe-state';
import type { Unsubscribe } from '../../hardware/types';
import type { ActiveFault, GateSettings } from '../../machines/gate-context';
import type { GateEvent, PromptId, StaffReason } from '../../machines/gate-events';
import { gateStateName, indicationFor, type Indication } from '../../machines/gate-outputs';
import { gateMachine, type DecisionReport } from '../../machines/gate.machine';
import type { Logger } from '../log';
import { IndicationDriver } from './indication-driver';

/** The parts of Hardware the gate uses (opened by the composition root before start). */
export type GateHardware = Pick<Hardware, 'outputs' | 'inputs' | 'thermometer' | 'display' | 'safeState' | 'exitSync' | 'onError'>;

/** Who hears about what the gate does: voice, event log, MQTT, dashboard. All optional, all best-effort. */
export interface GateListener {
  onState?(state: string, indication: Indication, t: number): void;
  onPrompt?(prompt: PromptId): void;
  onDecision?(report: DecisionReport): void;
  /** Staff are notified: an alert lasted escalateAfterMs (its reason), or someone stayed `undecided` for undecidedStaffMs. */
  onEscalation?(reason: StaffReason | null): void;
  onForcedPassage?(): void;
  /** The set of active faults changed (a fault raised or cleared); `faults` is the whole new set. */
  onFaults?(faults: readonly ActiveFault[]): void;
}

export interface GateControllerDeps {
  settings: GateSettings;
  hardware: GateHardware;
  clock: Clock;
  log: Logger;
  /** Loads the detector and runs a warm-up inference; the gate is not ready before it resolves. */
  warmUp(): Promise<void>;
  indication: { blinkMs: number; buzzer: { alert: number[]; escalated: number[] } };
  listeners?: GateListener[];
  /** The statechart's timer clock: real time by default; a SimulatedClock driven by frame time for fast replays. */
  machineClock?: { setTimeout(fn: (...args: unknown[]) => void, ms: number): unknown; clearTimeout(id: unknown): void };
}

/**
 * Runs the gate statechart against real (or fake) hardware: attaches the machine's effects with
 * `.provide()`, turns inputs into events, drives outputs from the state, and turns driver failures into
 * FAULT events that clear themselves once the hardware answers again.
 */
export class GateController {
  private actor: Actor<typeof gateMachine> | null = null;
  private driver: IndicationDriver | null = null;
  private unsubscribers: Unsubscribe[] = [];
  private lastState = '';
  private lastIndication = '';
  private lastFaults: readonly ActiveFault[] = [];
  private hardwareFault: string | null = null;
  private retryTimer: unknown = null;

  constructor(private readonly deps: GateControllerDeps) {}

  get state(): string {
    return this.actor ? gateStateName(this.actor.getSnapshot()) : 'stopped';
  }
  get snapshot() {
    return this.actor?.getSnapshot() ?? null;
  }

  /** Sends an event from the camera/detector supervisors, the tracker or an operator command. */
  send(event: GateEvent): void {
    this.actor?.send(event);
  }

  async start(): Promise<void> {
    if (this.actor) return;
    const { deps } = this;
    const listeners = deps.listeners ?? [];
    const each = (fn: (l: GateListener) => void) => {
      for (const l of listeners) {
        try {
          fn(l);
        } catch (e) {
          deps.log.warn('gate listener failed', { error: e });
        }
      }
    };
    this.driver = new IndicationDriver(deps.hardware, {
      clock: deps.clock,
      blinkMs: deps.indication.blinkMs,
      buzzer: deps.indication.buzzer,
      onError: (err, output) => this.onHardwareError(err, output),
    });
    const thermometer = deps.hardware.thermometer;
    const machine = gateMachine.provide({
      actors: {
        warmUpDetector: fromPromise(() => deps.warmUp()),
        readTemperature: fromPromise(async () => {
          if (!thermometer) throw new Error('no thermometer configured');
          return thermometer.readObjectC();
        }),
      },
      actions: {
        say: (_, p) => each((l) => l.onPrompt?.(p.prompt)),
        notifyStaff: (_, p) => each((l) => l.onEscalation?.(p.reason)),
        reportDecision: (_, p) => each((l) => l.onDecision?.(p)),
        reportForcedPassage: () => each((l) => l.onForcedPassage?.()),
      },
    });
    const actor = createActor(machine, { input: deps.settings, ...(deps.machineClock ? { clock: deps.machineClock as never } : {}) });
    this.actor = actor;
    actor.subscribe({
      next: (snap) => {
        const state = gateStateName(snap);
        const ind = indicationFor(snap);
        const key = JSON.stringify(ind);
        if (state !== this.lastState) {
          deps.log.info(`gate ${this.lastState || '(start)'} -> ${state}`);
          this.lastState = state;
          each((l) => l.onState?.(state, ind, deps.clock.now()));
        }
        // Identity is the cheap check (the array is kept while nothing touches faults); removeFault can
        // return an equal copy, so the contents decide.
        if (snap.context.faults !== this.lastFaults) {
          const changed = JSON.stringify(snap.context.faults) !== JSON.stringify(this.lastFaults);
          this.lastFaults = snap.context.faults;
          if (changed) each((l) => l.onFaults?.(snap.context.faults));
        }
        if (key !== this.lastIndication) {
          this.lastIndication = key;
          void this.driver?.apply(ind);
        }
      },
      error: (err) => deps.log.error('gate machine stopped on an error', { error: err }),
    });
    actor.start();
    // Inputs become events; a fire alarm already active now releases the relay at once.
    this.unsubscribers.push(
      bindGateEvents(deps.hardware, (ev) => (ev.type === 'FAULT' && ev.source === 'hardware' ? this.onHardwareError(ev.reason, 'device') : this.send(ev))),
    );
  }

  async stop(): Promise<void> {
    if (!this.actor) return;
    for (const u of this.unsubscribers.splice(0)) u();
    if (this.retryTimer !== null) this.deps.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.driver?.stop();
    this.actor.stop();
    this.actor = null;
  }

  /** A failed write or a dead line: outputs to their safe levels, a FAULT, and a retry until it answers. */
  private onHardwareError(err: unknown, device: string): void {
    // Hardware errors already name their device.
    const reason = err instanceof Error ? err.message : typeof err === 'string' ? err : `${device}: ${String(err)}`;
    enterSafeState(this.deps.hardware, this.deps.log, `hardware fault: ${reason}`);
    this.driver?.invalidate();
    if (this.hardwareFault === null) {
      this.hardwareFault = reason;
      this.send({ type: 'FAULT', source: 'hardware', reason });
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    this.retryTimer = this.deps.clock.setTimeout(async () => {
      this.retryTimer = null;
      const snap = this.actor?.getSnapshot();
      if (!snap || !this.driver) return;
      this.driver.invalidate();
      const ok = await this.driver.apply(indicationFor(snap));
      if (ok) {
        this.deps.log.info('hardware answers again', { was: this.hardwareFault });
        this.hardwareFault = null;
        this.send({ type: 'FAULT_CLEARED', source: 'hardware' });
      } else {
        this.scheduleRetry();
      }
    }, this.deps.settings.faultRetryMs);
  }
}
