import { and, assign, fromPromise, not, raise, setup } from 'xstate';
import { initialContext, SELF_RETRYING, type GateContext, type GateSettings } from './gate-context';
import type { AlertReason, FaultSource, GateEvent, PromptId, StaffReason } from './gate-events';
import {
  addObservations,
  alertedTracks,
  alertReasonOf,
  anyoneAtDecisionSizeNow,
  ignoredFaces,
  markCleared,
  someoneAlertedWithoutFreshMask,
  someoneHeldWithoutFreshMask,
  someoneNotYetCleared,
  someoneOutOfSight,
  peopleAtDecisionSize,
  someoneUndecided,
  someoneUndecidedWhoMoved,
  someoneUnmasked,
  verdictOf,
  type GateVerdict,
} from './gate-evidence';

/** Raised by the machine after each PEOPLE event has updated the evidence. */
type InternalEvent = { type: 'gate.evaluate'; anyoneNow: boolean } | { type: 'gate.personGone' };
export type GateMachineEvent = GateEvent | InternalEvent;

/** What a decision report carries to the event log, MQTT and the dashboard. */
export interface DecisionReport {
  outcome: 'cleared' | 'alert';
  reason: AlertReason | null;
  verdict: GateVerdict;
  temperatureC: number | null;
  t: number | null;
}

const promptFor: Record<AlertReason, PromptId> = { no_mask: 'wear_mask', incorrect: 'cover_nose', fever: 'temperature' };

/**
 * The gate statechart. Pure: every effect is a named action or actor whose real implementation is
 * attached with `.provide()` at the composition root; every timing comes from `settings` (config).
 * Outputs (LEDs, relay, buzzer, display) are derived from the state by `indicationFor`.
 */
export const gateMachine = setup({
  types: {
    context: {} as GateContext,
    events: {} as GateMachineEvent,
    input: {} as GateSettings,
  },
  actors: {
    /** Loads the detector and runs a warm-up inference. Provided at the root. */
    warmUpDetector: fromPromise<void>(async () => {
      throw new Error('warmUpDetector not provided');
    }),
    /** Reads the thermometer once, in Celsius with the offset applied. Provided at the root. */
    readTemperature: fromPromise<number>(async () => {
      throw new Error('readTemperature not provided');
    }),
  },
  actions: {
    // Effects: no-ops here, real ones attached at the root.
    say: (_, _params: { prompt: PromptId }) => {},
    notifyStaff: (_, _params: { reason: StaffReason | null }) => {},
    reportDecision: (_, _params: DecisionReport) => {},
    reportForcedPassage: () => {},

    recordPeople: assign(({ context, event }) => {
      if (event.type !== 'PEOPLE') return {};
      const s = context.settings;
      const tracks = addObservations(context.tracks, event.people, event.t, s);
      const ignored = ignoredFaces(event.people, tracks, s);
      return {
        tracks,
        people: peopleAtDecisionSize(tracks, event.t, s),
        farFaces: ignored.filter((f) => f.reason === 'too_small').length,
        ignored,
        lastFrame: { t: event.t, frame: event.frame },
      };
    }),
    raiseEvaluate: raise(({ context, event }) => ({
      type: 'gate.evaluate' as const,
      // Presence is someone the gate decides on: a far face, a picture or an ignored face holds nothing.
      anyoneNow: event.type === 'PEOPLE' && anyoneAtDecisionSizeNow(context.tracks, event.t, context.settings),
    })),
    raisePersonGone: raise({ type: 'gate.personGone' as const }),
    markCleared: assign({ tracks: ({ context }) => markCleared(context.tracks, context.people) }),
    forgetPeople: assign({ tracks: {}, people: [], farFaces: 0, alertReason: null, temperatureC: null }),
    // Nobody at decision size for personGoneMs: the door goes idle, but someone alerted who is still in view
    // (stepped back or aside) stays alerted, so coming back with a few `mask` frames does not clear them.
    forgetPeopleButAlerted: assign(({ context }) => ({
      tracks: alertedTracks(context.tracks, context.lastFrame?.t ?? 0, context.settings),
      people: [],
      farFaces: 0,
      alertReason: null,
      temperatureC: null,
    })),
    setAlertReason: assign({
      alertReason: ({ context }) => alertReasonOf(context.people) ?? context.alertReason,
    }),
    setFeverAlert: assign({ alertReason: 'fever' as const }),
    setTemperature: assign({ temperatureC: ({ event }) => (event as unknown as { output: number }).output }),
    addFault: assign({
      faults: ({ context, event }, params?: { source: FaultSource; reason: string }) => {
        const f = params ?? (event.type === 'FAULT' ? { source: event.source, reason: event.reason } : null);
        if (!f) return context.faults;
        return [...context.faults.filter((x) => x.source !== f.source), f];
      },
    }),
    removeFault: assign({
      faults: ({ context, event }) => (event.type === 'FAULT_CLEARED' ? context.faults.filter((f) => f.source !== event.source) : context.faults),
    }),
    clearSelfRetryingFaults: assign({ faults: ({ context }) => context.faults.filter((f) => !SELF_RETRYING.includes(f.source)) }),
    setMaintenance: assign({ maintenance: (_, params: { on: boolean }) => params.on }),
    markReady: assign({ ready: true }),
  },
  guards: {
    anyoneNow: ({ event }) => event.type === 'gate.evaluate' && event.anyoneNow,
    nobodyNow: ({ event }) => event.type === 'gate.evaluate' && !event.anyoneNow,
    // The clearing rule, over the people in the zone at decision size (faces below it, pictures and ignored
    // faces are not among them). `everyoneMasked` below composes these three.
    nobodyAtDecisionSize: ({ context }) => context.people.length === 0,
    someoneUnmasked: ({ context }) => someoneUnmasked(context.people),
    someoneUndecided: ({ context }) => someoneUndecided(context.people),
    // Someone undecided who has moved (a person, not possibly a picture): the one the gate talks to when undecided;
    // InView: seen in the latest frame, so the prompt is not said to someone missed or walking off.
    someoneUndecidedWhoMoved: ({ context }) => someoneUndecidedWhoMoved(context.tracks, context.people),
    someoneUndecidedInView: ({ context }) => context.lastFrame !== null && someoneUndecidedWhoMoved(context.tracks, context.people, context.lastFrame.t),
    // Anyone the gate alerted for, at any size, in or out of the zone, until they earn a clear with fresh
    // evidence (gate.clearAfterAlert) or are out of sight for personGoneMs.
    someoneAlertedWithoutFreshMask: ({ context }) => someoneAlertedWithoutFreshMask(context.tracks, context.lastFrame?.t, context.settings.personGoneMs),
    // Anyone who was at the door while an alert was on (the group it applies to, or the alerted person back
    // under a new track), until they earn a clear under gate.clearAfterAlert.
    someoneHeldWithoutFreshMask: ({ context }) => someoneHeldWithoutFreshMask(context.tracks),
    // Someone counted from an earlier frame, not in this one (missed, or gone): a clear needs everyone in view.
    someoneOutOfSight: ({ context }) => someoneOutOfSight(context.tracks, context.people, context.lastFrame?.t),
    hasThermometer: ({ context }) => context.settings.hasThermometer,
    someoneNotYetCleared: ({ context }) => someoneNotYetCleared(context.tracks, context.people),
    alertReasonChanged: ({ context }) => alertReasonOf(context.people) !== context.alertReason,
    maskAlert: ({ context }) => context.alertReason !== 'fever',
    fever: ({ context, event }) => {
      const t = (event as unknown as { output?: number }).output;
      return typeof t === 'number' && t >= context.settings.feverThresholdC;
    },
    pulseMode: ({ context }) => context.settings.relayMode === 'pulse',
    noFaults: ({ context }) => context.faults.length === 0,
    hasFaults: ({ context }) => context.faults.length > 0,
    maintenance: ({ context }) => context.maintenance,
    notReady: ({ context }) => !context.ready,
    callsStaffWhenUndecided: ({ context }) => context.settings.undecidedStaffMs !== null,
  },
  delays: {
    personGone: ({ context }) => context.settings.personGoneMs,
    relayOpen: ({ context }) => context.settings.relayOpenMs,
    holdMax: ({ context }) => context.settings.holdMaxMs,
    escalate: ({ context }) => context.settings.escalateAfterMs,
    undecidedPrompt: ({ context }) => context.settings.undecidedPromptMs,
    // Counted from the prompt: undecidedStaffMs runs from the same start as undecidedPromptMs. With staff never
    // called (null) the timer still runs, and its guard (callsStaffWhenUndecided) refuses it.
    undecidedStaff: ({ context }) => Math.max(0, (context.settings.undecidedStaffMs ?? context.settings.undecidedPromptMs) - context.settings.undecidedPromptMs),
    selfTestBlink: ({ context }) => context.settings.selfTestBlinkMs,
    faultRetry: ({ context }) => context.settings.faultRetryMs,
  },
})
  .extend({
    guards: {
      /**
       * The gate clears only when every person in the zone at decision size is decided `mask`, nobody at
       * decision size is still undecided (an empty zone clears nothing), and nobody it alerted for is still
       * around without fresh mask evidence, nobody who was at the door with an alert is still short of that
       * evidence, and everyone it clears is in this frame (nobody is cleared on a sighting from earlier: a group
       * that has just walked off). Who is unmasked outvotes masks on ties (personVerdict); anyone unmasked
       * alerts (`someoneUnmasked`, asked first everywhere); someone alerted stays unmasked until they earn a
       * clear (gate-after-alert.ts), and holds the gate while leaving; the alert applies to everyone at the
       * door with them, who are cleared on the same evidence, minMs after the alerted person was last seen.
       */
      everyoneMasked: and([
        not('nobodyAtDecisionSize'),
        not('someoneUnmasked'),
        not('someoneUndecided'),
        not('someoneAlertedWithoutFreshMask'),
        not('someoneHeldWithoutFreshMask'),
        not('someoneOutOfSight'),
      ]),
      /**
       * The relay opens only for someone it has not opened for: a newcomer who vanished undecided (a glitch,
       * a passer-by) leaves the people already cleared where they were, not cleared a second time.
       */
      clearsSomeoneNew: and(['everyoneMasked', 'someoneNotYetCleared']),
      clearsSomeoneNewNeedsScreening: and(['clearsSomeoneNew', 'hasThermometer']),
      /** After a passage: a newcomer (undecided) is evaluated afresh, unless someone is unmasked (that alerts). */
      newcomerUndecided: and(['someoneUndecided', not('someoneUnmasked')]),
      /** Someone at decision size is still undecided and staff are to be told (gate.undecidedStaffMs is set). */
      staffNeededForUndecided: and(['someoneUndecidedWhoMoved', 'callsStaffWhenUndecided']),
    },
  })
  .createMachine({
  id: 'gate',
  context: ({ input }) => initialContext(input),
  initial: 'booting',
  on: {
    PEOPLE: { actions: ['recordPeople', 'raiseEvaluate'] },
    FAULT: { target: '.fault', actions: 'addFault' },
    FAULT_CLEARED: { actions: 'removeFault' },
    FIRE_ALARM_ON: '.emergency',
    MAINTENANCE_ON: { target: '.maintenance', actions: { type: 'setMaintenance', params: { on: true } } },
    MAINTENANCE_OFF: { actions: { type: 'setMaintenance', params: { on: false } } },
  },
  states: {
    /**
     * Decides where to go after boot, an emergency, maintenance, a fault or an override: highest priority
     * first. The fire alarm needs no branch: FIRE_ALARM_ON enters emergency from every state.
     */
    route: {
      always: [
        { guard: 'maintenance', target: 'maintenance' },
        { guard: 'hasFaults', target: 'fault' },
        { guard: 'notReady', target: 'booting' },
        { target: 'operating' },
      ],
    },

    booting: {
      type: 'parallel',
      states: {
        selfTest: {
          initial: 'green',
          states: {
            green: { after: { selfTestBlink: 'red' } },
            red: { after: { selfTestBlink: 'amber' } },
            amber: { after: { selfTestBlink: 'done' } },
            done: { type: 'final' },
          },
        },
        warmUp: {
          initial: 'running',
          states: {
            running: {
              invoke: {
                src: 'warmUpDetector',
                onDone: 'done',
                onError: {
                  target: '#gate.fault',
                  actions: { type: 'addFault', params: ({ event }) => ({ source: 'boot' as const, reason: `detector warm-up failed: ${errorText(event.error)}` }) },
                },
              },
            },
            done: { type: 'final' },
          },
        },
      },
      onDone: { target: 'route', actions: 'markReady' },
    },

    operating: {
      type: 'parallel',
      // Evidence gathered before a fault, maintenance or an override is stale.
      entry: 'forgetPeople',
      on: {
        STAFF_BUTTON: 'override',
        OPEN_ONCE: 'override',
      },
      states: {
        /** Someone in the zone now, or not; PERSON_GONE after personGoneMs without a face. */
        presence: {
          initial: 'empty',
          states: {
            empty: { on: { 'gate.evaluate': { guard: 'anyoneNow', target: 'present' } } },
            present: { on: { 'gate.evaluate': { guard: 'nobodyNow', target: 'leaving' } } },
            leaving: {
              on: { 'gate.evaluate': { guard: 'anyoneNow', target: 'present' } },
              after: { personGone: { target: 'empty', actions: ['forgetPeopleButAlerted', 'raisePersonGone'] } },
            },
          },
        },
        door: {
          initial: 'idle',
          on: { 'gate.personGone': '.idle' },
          states: {
            idle: { on: { 'gate.evaluate': { guard: 'anyoneNow', target: 'evaluating' } } },
            /**
             * Waiting for a decision, door locked. Someone left undecided is told what to do (prompted) and, if
             * that does not help, staff are notified (staffCalled); neither ever clears, opens or alerts. The
             * decision rules are the same in every substate, and leaving evaluating cancels both timers.
             */
            evaluating: {
              initial: 'checking',
              on: {
                'gate.evaluate': [
                  { guard: 'someoneUnmasked', target: 'alert' },
                  { guard: 'clearsSomeoneNewNeedsScreening', target: 'screening' },
                  { guard: 'clearsSomeoneNew', target: 'cleared' },
                  { guard: 'everyoneMasked', target: 'cleared.closed' },
                  // Nobody at decision size is left undecided (only far faces, a face that may be a picture, masked
                  // people not yet cleared): the wait starts again, so a prompt follows undecidedPromptMs of it.
                  { guard: not('someoneUndecidedWhoMoved'), target: '.checking' },
                ],
              },
              states: {
                checking: { after: { undecidedPrompt: 'promptDue' } },
                /** Undecided long enough; said once they are in a frame (eventless: a decision in the same frame comes first). */
                promptDue: { always: { guard: 'someoneUndecidedInView', target: 'prompted' } },
                prompted: {
                  entry: { type: 'say', params: { prompt: 'look_at_camera' } },
                  after: { undecidedStaff: { guard: 'staffNeededForUndecided', target: 'staffCalled' } },
                },
                staffCalled: { entry: { type: 'notifyStaff', params: { reason: 'undecided' } } },
              },
            },
            screening: {
              invoke: {
                src: 'readTemperature',
                onDone: [
                  { guard: 'fever', target: 'alert', actions: ['setTemperature', 'setFeverAlert'] },
                  { target: 'cleared', actions: 'setTemperature' },
                ],
                onError: {
                  // A failed read is a fault, never a pass.
                  target: '#gate.fault',
                  actions: { type: 'addFault', params: ({ event }) => ({ source: 'thermometer' as const, reason: `temperature read failed: ${errorText(event.error)}` }) },
                },
              },
              on: { 'gate.evaluate': { guard: 'someoneUnmasked', target: 'alert' } },
            },
            cleared: {
              initial: 'open',
              on: { 'gate.evaluate': { guard: 'someoneUnmasked', target: 'alert' } },
              states: {
                /** Relay released: a pulse of relayOpenMs, or held until the passage sensor fires. */
                open: {
                  entry: [{ type: 'say', params: { prompt: 'thank_you' } }, { type: 'reportDecision', params: ({ context }) => decision(context, 'cleared') }, 'markCleared'],
                  after: { relayOpen: { guard: 'pulseMode', target: 'closed' }, holdMax: { target: 'closed' } },
                  on: {
                    PASSAGE: 'closed',
                    // A masked person who joins while the relay is open passes with the others.
                    'gate.evaluate': { guard: 'everyoneMasked', actions: 'markCleared' },
                  },
                },
                /** The passage is over; a newcomer in the zone is evaluated afresh. */
                closed: { on: { 'gate.evaluate': { guard: 'newcomerUndecided', target: '#gate.operating.door.evaluating' } } },
              },
            },
            alert: {
              initial: 'active',
              entry: ['setAlertReason', { type: 'say', params: ({ context }) => ({ prompt: promptFor[context.alertReason ?? 'no_mask'] }) }, { type: 'reportDecision', params: ({ context }) => decision(context, 'alert') }],
              on: {
                'gate.evaluate': [
                  // Re-evaluated continuously: a mask put on and held (gate.clearAfterAlert) clears; a fever alert does not.
                  { guard: and(['maskAlert', 'clearsSomeoneNewNeedsScreening']), target: 'screening' },
                  { guard: and(['maskAlert', 'clearsSomeoneNew']), target: 'cleared' },
                  // The unmasked newcomer is gone (personGoneMs unseen); everyone still here was cleared already.
                  { guard: and(['maskAlert', 'everyoneMasked']), target: 'cleared.closed' },
                  {
                    // A fever alert keeps its reason until the person leaves.
                    guard: and(['maskAlert', 'someoneUnmasked', 'alertReasonChanged']),
                    actions: ['setAlertReason', { type: 'say', params: ({ context }) => ({ prompt: promptFor[alertReasonOf(context.people) ?? 'no_mask'] }) }],
                  },
                ],
                PASSAGE: { actions: 'reportForcedPassage' },
              },
              states: {
                active: { after: { escalate: 'escalated' } },
                escalated: {
                  entry: [{ type: 'notifyStaff', params: ({ context }) => ({ reason: context.alertReason }) }, { type: 'say', params: { prompt: 'escalation' } }],
                },
              },
            },
          },
        },
      },
    },

    /** Staff opened the gate for one passage (button or remote command). */
    override: {
      entry: { type: 'say', params: { prompt: 'override' } },
      on: { PASSAGE: 'route' },
      after: { relayOpen: { guard: 'pulseMode', target: 'route' }, holdMax: { target: 'route' } },
    },

    /** Fire alarm: relay released whatever else is going on, until the input clears. */
    emergency: {
      on: {
        FIRE_ALARM_OFF: 'route',
        FAULT: { actions: 'addFault' },
        MAINTENANCE_ON: { actions: { type: 'setMaintenance', params: { on: true } } },
      },
    },

    maintenance: {
      on: {
        MAINTENANCE_OFF: { target: 'route', actions: { type: 'setMaintenance', params: { on: false } } },
        FAULT: { actions: 'addFault' },
      },
    },

    fault: {
      always: { guard: 'noFaults', target: 'route' },
      after: { faultRetry: { actions: 'clearSelfRetryingFaults', reenter: true, target: 'fault' } },
      on: { STAFF_BUTTON: 'override', OPEN_ONCE: 'override' },
    },
  },
});

function decision(context: GateContext, outcome: 'cleared' | 'alert'): DecisionReport {
  return { outcome, reason: outcome === 'alert' ? context.alertReason : null, verdict: verdictOf(context.people), temperatureC: context.temperatureC, t: context.lastFrame?.t ?? null };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export type GateMachine = typeof gateMachine;
