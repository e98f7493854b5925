import { getNextSnapshot, type AnyStateNode, type AnyTransitionDefinition } from 'xstate';
import { getShortestPaths } from '@xstate/graph';
import { gateMachine } from '../../machines/gate.machine';
import { abstractModel, abstractTable, realStateOf, relayReleasedIn, type AbstractEvent, type Variant } from './gate-abstract-model';
import { deferred, flush, GateHarness, type Deferred } from './gate-harness';

const variants: Variant[] = [
  { name: 'pulse+thermometer+secure', thermometer: true, relayMode: 'pulse', failMode: 'secure' },
  { name: 'hold+no-thermometer+open', thermometer: false, relayMode: 'hold', failMode: 'open' },
];

/** Every transition the real machine defines, keyed the same way as the ones observed at run time. */
function allTransitions(): Set<string> {
  const keys = new Set<string>();
  const visit = (node: AnyStateNode) => {
    for (const list of node.transitions.values()) list.forEach((t, i) => keys.add(keyOf(t, i)));
    node.always?.forEach((t, i) => keys.add(keyOf(t, i)));
    Object.values(node.states).forEach(visit);
  };
  visit(gateMachine.root);
  return keys;
}

function keyOf(t: AnyTransitionDefinition, index?: number): string {
  const list = t.eventType === '' ? t.source.always : t.source.transitions.get(t.eventType);
  const i = index ?? list?.findIndex((x: AnyTransitionDefinition) => x.target === t.target && x.guard === t.guard && x.actions === t.actions) ?? -1;
  return `${t.source.id} --${t.eventType || 'always'}#${i}--> ${(t.target ?? []).map((n: AnyStateNode) => n.id).join(',') || '(none)'}`;
}

/** Runs abstract events as concrete scenarios on the real machine. */
class Driver {
  readonly h: GateHarness;
  readonly covered = new Set<string>();
  private warmUps: Deferred<void>[] = [];
  /** The last person to walk up, for NEWCOMER_GONE. */
  private newcomer: string | null = null;

  constructor(readonly v: Variant) {
    this.h = new GateHarness({
      settings: { hasThermometer: v.thermometer, relayMode: v.relayMode, failMode: v.failMode },
      warmUp: () => {
        const d = deferred<void>();
        this.warmUps.push(d);
        return d.promise;
      },
    });
    this.h.actor.system.inspect({
      next: (ev) => {
        if (ev.type === '@xstate.microstep') for (const t of (ev as unknown as { _transitions: AnyTransitionDefinition[] })._transitions) this.covered.add(keyOf(t));
      },
    });
    // The base machine and the provided one share state node ids, so keys match allTransitions().
    this.h.start();
  }

  async run(e: AbstractEvent): Promise<void> {
    const h = this.h;
    const s = h.settings;
    const K = s.evidence.agreeFrames;
    switch (e) {
      case 'BOOT_DONE':
        this.warmUps.at(-1)?.resolve();
        return h.boot();
      case 'WARMUP_FAIL':
        this.warmUps.at(-1)?.reject(new Error('warm-up failed'));
        return flush();
      case 'PERSON_MASKED':
        h.setAll('mask');
        return h.frames(K);
      case 'PERSON_UNMASKED':
        h.setAll('no_mask');
        return h.frames(K);
      case 'PERSON_INCORRECT':
        h.setAll('incorrect');
        return h.frames(K);
      case 'NEWCOMER':
        this.newcomer = h.addPerson('unknown');
        return h.frame();
      case 'UNMASKED_NEWCOMER':
        this.newcomer = h.addPerson('no_mask');
        return h.frames(K);
      case 'NEWCOMER_GONE':
        // The newcomer walks off (seen leaving the zone, then gone); those already cleared stay in view until
        // the newcomer is forgotten and, when the newcomer was alerted for, for gate.clearAfterAlert.minMs
        // after the newcomer was last seen (the alert held them too).
        if (this.newcomer && h.people.has(this.newcomer)) {
          h.people.get(this.newcomer)!.inZone = false;
          h.frame();
          h.people.delete(this.newcomer);
        }
        return h.live(Math.max(s.personGoneMs, s.clearAfterAlert.minMs) + 200);
      case 'ALERTED_LEAVES_GROUP': {
        // A masked companion walks up and stands beside the alerted people; they walk off (seen leaving the
        // zone, then gone for personGoneMs). Less than minMs after they were last seen: the companion waits.
        h.addPerson('mask');
        h.frames(K);
        const alerted = [...h.people.keys()].filter((id) => h.snapshot.context.tracks[id]?.alert);
        for (const id of alerted) h.people.get(id)!.inZone = false;
        h.frame();
        for (const id of alerted) h.people.delete(id);
        return h.live(s.personGoneMs + 200);
      }
      case 'MASK_HELD': {
        // The alerted person puts a mask on and holds it: the window stops reading unmasked, then the run of
        // maskFrames (and minMs since the alert) clears them. Frame by frame, at most that long.
        h.setAll('mask');
        const most = s.evidence.windowFrames + s.clearAfterAlert.maskFrames + s.clearAfterAlert.minMs / 100;
        for (let i = 0; i < most && h.state.startsWith('alert'); i++) h.frame();
        return;
      }
      case 'ALERTED_STEPS_OUT':
      case 'ALERTED_STEPS_BACK':
        // Everyone under an alert walks off, read as `mask` all the way, still in view for less than personGoneMs.
        for (const [id, p] of h.people) {
          if (!h.snapshot.context.tracks[id]?.alert) continue;
          p.label = 'mask';
          if (e === 'ALERTED_STEPS_OUT') p.inZone = false;
          else p.facePx = s.decideMinFacePx - 4;
        }
        return h.live(s.personGoneMs - 200);
      case 'UNDECIDED_WAIT':
        return h.live(s.undecidedPromptMs);
      case 'STAFF_WAIT':
        return h.live(s.undecidedStaffMs! - s.undecidedPromptMs);
      case 'UNDECIDED_STEPS_BACK':
        // Everyone undecided steps back below decision size, in view for less than personGoneMs.
        for (const p of h.snapshot.context.people) if (p.verdict === 'undecided') h.people.get(p.id)!.facePx = s.decideMinFacePx - 4;
        return h.live(s.personGoneMs - 200);
      case 'FAR_PERSON':
        h.addPerson('no_mask', true, { facePx: s.decideMinFacePx - 1 });
        return h.frames(K + 1);
      case 'PICTURE':
        h.addPerson('mask', true, { moved: false, ignored: 'stationary' });
        return h.frames(K + 1);
      case 'STILL_FACE':
        this.newcomer = h.addPerson('mask', true, { moved: false });
        return h.frames(K + 1);
      case 'TIE': {
        // A full window split evenly between mask and no_mask: neither side has K votes, and mask never wins a tie.
        const id = h.addPerson('mask');
        for (let i = 0; i < s.evidence.windowFrames; i++) h.frame(100, [{ id, label: i % 2 ? 'no_mask' : 'mask', confidence: 0.9, inZone: true, facePx: 100, moved: true }]);
        return;
      }
      case 'STANDS_STILL':
        for (const p of h.people.values()) p.ignored = 'stationary';
        return h.frames(K + 1);
      case 'BLINK': {
        // The detector misses every face for one frame.
        h.frame(100, []);
        return h.frames(3);
      }
      case 'NO_FACE_TIMEOUT':
        return h.leave();
      case 'TEMP_OK':
        h.temperatureReads.at(-1)?.resolve(36.5);
        return flush();
      case 'TEMP_FEVER':
        h.temperatureReads.at(-1)?.resolve(38.2);
        return flush();
      case 'TEMP_FAIL':
        h.temperatureReads.at(-1)?.reject(new Error('PEC mismatch'));
        return flush();
      case 'RELAY_TIMEOUT':
        return h.live(this.v.relayMode === 'pulse' ? s.relayOpenMs : s.holdMaxMs);
      case 'ESCALATE_TIMEOUT':
        return h.live(s.escalateAfterMs);
      case 'FAULT_RETRY':
        // The camera is lost or the gate is faulted: time passes without frames.
        return h.clock.increment(s.faultRetryMs);
      case 'PASSAGE':
        return void h.actor.send({ type: 'PASSAGE' });
      case 'STAFF_BUTTON':
        return void h.actor.send({ type: 'STAFF_BUTTON' });
      case 'OPEN_ONCE':
        return void h.actor.send({ type: 'OPEN_ONCE', by: 'test' });
      case 'FIRE_ON':
        return void h.actor.send({ type: 'FIRE_ALARM_ON' });
      case 'FIRE_OFF':
        return void h.actor.send({ type: 'FIRE_ALARM_OFF' });
      case 'MAINT_ON':
        return void h.actor.send({ type: 'MAINTENANCE_ON' });
      case 'MAINT_OFF':
        return void h.actor.send({ type: 'MAINTENANCE_OFF' });
      case 'CAMERA_FAULT':
        return void h.actor.send({ type: 'FAULT', source: 'camera', reason: 'camera lost' });
      case 'CAMERA_CLEARED':
        return void h.actor.send({ type: 'FAULT_CLEARED', source: 'camera' });
    }
  }
}

const coveredByAll = new Set<string>();

describe.each(variants)('model-based paths ($name)', (v) => {
  const model = abstractModel(v);
  const table = abstractTable(v);
  const events = (state: { value: unknown }) => Object.keys(table[String(state.value)] ?? {}).map((type) => ({ type }));
  const paths = getShortestPaths(model, { events, serializeState: (s: { value: unknown }) => JSON.stringify(s.value) } as never);

  test('every abstract state is reachable', () => {
    const reached = new Set(paths.map((p) => String(p.state.value)));
    expect([...reached].sort()).toEqual(Object.keys(table).sort());
  });

  // One test per abstract state: reach it by its shortest path, then take each of its edges.
  test.each(paths.map((p) => [String(p.state.value), p] as const))('from %s, every edge matches the real machine', async (_name, path) => {
    const edges = events(path.state as never);
    for (const edge of edges) {
      const d = new Driver(v);
      const trail: string[] = [];
      const steps = [...path.steps.slice(1).map((st) => ({ event: st.event as { type: AbstractEvent }, state: String(st.state.value) })), {
        event: edge as { type: AbstractEvent },
        state: String(getNextSnapshot(model, path.state as never, edge as never).value),
      }];
      for (const step of steps) {
        await d.run(step.event.type);
        trail.push(`${step.event.type} -> ${step.state}`);
        const where = `${v.name}: ${trail.join(', ')}`;
        expect({ where, state: d.h.state }).toEqual({ where, state: realStateOf(step.state) });
        expect({ where, relayReleased: d.h.outputs.relay === 'released' }).toEqual({ where, relayReleased: relayReleasedIn(step.state, v) });
      }
      d.covered.forEach((k) => coveredByAll.add(k));
    }
  });
});

// Declared last, so jest runs it after the paths of both variants.
test('the model paths take every transition the gate machine defines', () => {
  const all = [...allTransitions()];
  expect(all.length).toBeGreaterThan(50);
  expect(all.filter((k) => !coveredByAll.has(k))).toEqual([]);
});
