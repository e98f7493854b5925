import { booted, deferred, flush, GateHarness } from './gate-harness';

const K = 5; // default agreeFrames (of windowFrames 8)

describe('booting', () => {
  test('self-test lights each LED once for selfTestBlinkMs, then idle once warmed up', async () => {
    const warm = deferred<void>();
    const h = new GateHarness({ settings: { selfTestBlinkMs: 200 }, warmUp: () => warm.promise }).start();
    const seen: string[] = [];
    const led = () => (['greenLed', 'redLed', 'amberLed'] as const).filter((l) => h.outputs[l] === 'on').join(',');
    seen.push(led());
    h.clock.increment(199);
    seen.push(led());
    h.clock.increment(1);
    seen.push(led());
    h.clock.increment(200);
    seen.push(led());
    h.clock.increment(200);
    seen.push(led());
    expect(seen).toEqual(['greenLed', 'greenLed', 'redLed', 'amberLed', '']);
    // Self-test done but the detector is still warming up: not ready.
    expect(h.state).toBe('booting');
    expect(h.outputs.relay).toBe('locked');
    warm.resolve();
    await flush();
    expect(h.state).toBe('idle');
    expect(h.snapshot.context.ready).toBe(true);
  });

  test('a failed warm-up is a fault that retries the boot after faultRetryMs', async () => {
    let attempts = 0;
    const h = new GateHarness({
      settings: { faultRetryMs: 5000 },
      warmUp: async () => {
        attempts++;
        if (attempts === 1) throw new Error('model file truncated');
      },
    }).start();
    await flush();
    expect(h.state).toBe('fault');
    expect(h.snapshot.context.faults).toEqual([{ source: 'boot', reason: 'detector warm-up failed: model file truncated' }]);
    expect(h.outputs.amberLed).toBe('on');
    h.clock.increment(4999);
    expect(h.state).toBe('fault');
    h.clock.increment(1);
    expect(h.state).toBe('booting');
    await h.boot();
    expect(attempts).toBe(2);
    expect(h.state).toBe('idle');
  });
});

describe('evidence: K of the last N frames', () => {
  test('a person in the zone starts evaluating; one outside it does not', async () => {
    const h = await booted();
    h.addPerson('mask', false);
    h.frames(3);
    expect(h.state).toBe('idle');
    h.addPerson('unknown', true);
    h.frame();
    expect(h.state).toBe('evaluating');
    expect(h.outputs.relay).toBe('locked');
  });

  test('masked needs K agreeing frames: K-1 decide nothing', async () => {
    const h = await booted();
    h.addPerson('mask');
    h.frames(K - 1);
    expect(h.state).toBe('evaluating');
    expect(h.outputs.relay).toBe('locked');
    h.frame();
    expect(h.state).toBe('cleared.open');
  });

  test('one blurry frame never alerts nor opens the gate', async () => {
    const h = await booted();
    const id = h.addPerson('unknown');
    h.frames(3);
    // A single confident no_mask frame amid unknowns: no alert.
    h.frame(100, [{ id, label: 'no_mask', confidence: 0.95, inZone: true, facePx: 100, moved: true }]);
    h.frames(3);
    expect(h.state).toBe('evaluating');
    // A single mask frame amid unknowns: the relay stays locked.
    h.frame(100, [{ id, label: 'mask', confidence: 0.95, inZone: true, facePx: 100, moved: true }]);
    h.frames(3);
    expect(h.state).toBe('evaluating');
    expect(h.effects.filter((e) => e.kind === 'say')).toEqual([]);
  });

  test('one blurry no_mask frame among masked frames does not alert', async () => {
    const h = await booted();
    const id = h.addPerson('mask');
    h.frames(2);
    h.frame(100, [{ id, label: 'no_mask', confidence: 0.9, inZone: true, facePx: 100, moved: true }]);
    h.frames(K - 2);
    expect(h.state).toBe('cleared.open');
    expect(h.prompts()).toEqual(['thank_you']);
  });

  test('low-confidence labels count as unknown', async () => {
    const h = await booted({ settings: { evidence: { windowFrames: 8, agreeFrames: 5, minConfidence: 0.6 } } });
    const id = h.addPerson();
    for (let i = 0; i < 8; i++) h.frame(100, [{ id, label: 'no_mask', confidence: 0.55, inZone: true, facePx: 100, moved: true }]);
    expect(h.state).toBe('evaluating');
  });
});

describe('cleared', () => {
  test('green LED, thank-you, relay released for relayOpenMs as a pulse', async () => {
    const h = await booted({ settings: { relayOpenMs: 3000 } });
    h.addPerson('mask');
    h.frames(K);
    expect(h.state).toBe('cleared.open');
    expect(h.outputs).toMatchObject({ greenLed: 'on', redLed: 'off', relay: 'released', display: 'welcome' });
    expect(h.prompts()).toEqual(['thank_you']);
    const decision = h.effects.find((e) => e.kind === 'decision');
    expect(decision).toMatchObject({ report: { outcome: 'cleared', reason: null, verdict: { kind: 'cleared', people: [{ id: 'p1', verdict: 'mask' }] } } });
    h.live(2900);
    expect(h.outputs.relay).toBe('released');
    h.live(100);
    expect(h.state).toBe('cleared.closed');
    expect(h.outputs.relay).toBe('locked');
    expect(h.outputs.greenLed).toBe('on');
  });

  test('hold mode keeps the relay released until the passage sensor fires', async () => {
    const h = await booted({ settings: { relayMode: 'hold', relayOpenMs: 1000, holdMaxMs: 15000 } });
    h.addPerson('mask');
    h.frames(K);
    h.live(5000);
    expect(h.outputs.relay).toBe('released');
    h.actor.send({ type: 'PASSAGE' });
    expect(h.state).toBe('cleared.closed');
    expect(h.outputs.relay).toBe('locked');
  });

  test('hold mode gives up after holdMaxMs without a passage', async () => {
    const h = await booted({ settings: { relayMode: 'hold', holdMaxMs: 8000 } });
    h.addPerson('mask');
    h.frames(K);
    h.live(7900);
    expect(h.outputs.relay).toBe('released');
    h.live(100);
    expect(h.outputs.relay).toBe('locked');
  });

  test('after the passage a newcomer is evaluated afresh', async () => {
    const h = await booted();
    h.addPerson('mask');
    h.frames(K);
    h.actor.send({ type: 'PASSAGE' });
    h.addPerson('unknown');
    h.frame();
    expect(h.state).toBe('evaluating');
    h.setAll('mask');
    h.frames(K);
    expect(h.state).toBe('cleared.open');
    expect(h.prompts()).toEqual(['thank_you', 'thank_you']);
  });
});

describe('alert', () => {
  test('no mask: red LED, buzzer pattern, relay locked, "wear your mask"', async () => {
    const h = await booted();
    h.addPerson('no_mask');
    h.frames(K);
    expect(h.state).toBe('alert.active');
    expect(h.outputs).toMatchObject({ redLed: 'on', greenLed: 'off', buzzer: 'alert', relay: 'locked', display: 'wear_mask' });
    expect(h.prompts()).toEqual(['wear_mask']);
    expect(h.snapshot.context.alertReason).toBe('no_mask');
  });

  test('a mask below the nose is its own reason with its own prompt', async () => {
    const h = await booted();
    h.addPerson('incorrect');
    h.frames(K);
    expect(h.state).toBe('alert.active');
    expect(h.outputs.display).toBe('cover_nose');
    expect(h.prompts()).toEqual(['cover_nose']);
  });

  test('a changed reason is announced again without restarting the escalation timer', async () => {
    const h = await booted({ settings: { escalateAfterMs: 10000 } });
    h.addPerson('no_mask');
    h.frames(K); // alert at t0
    h.live(4000);
    h.setAll('incorrect');
    h.live(3000);
    expect(h.prompts()).toEqual(['wear_mask', 'cover_nose']);
    expect(h.state).toBe('alert.active');
    h.live(3000);
    expect(h.state).toBe('alert.escalated');
  });

  test('putting a mask on and holding it clears the gate, after gate.clearAfterAlert, not after K frames', async () => {
    const h = await booted();
    const { maskFrames, minMs } = h.settings.clearAfterAlert;
    h.addPerson('no_mask');
    h.frames(K);
    const alertAt = h.clock.now();
    h.live(2000);
    h.setAll('mask');
    // The window of 8 reads unmasked until its no_mask votes fall under K (3 mask frames), then the run counts.
    h.frames(3 + maskFrames - 1);
    expect(h.state).toBe('alert.active');
    h.frame();
    expect(h.state).toBe('cleared.open');
    expect(h.clock.now() - alertAt).toBeGreaterThanOrEqual(minMs);
    expect(h.prompts()).toEqual(['wear_mask', 'thank_you']);
  });

  test('an alert lasting escalateAfterMs escalates: staff notified, chime, faster buzzer', async () => {
    const h = await booted({ settings: { escalateAfterMs: 20000 } });
    h.addPerson('no_mask');
    h.frames(K);
    const t0 = h.clock.now();
    h.live(19900);
    expect(h.state).toBe('alert.active');
    h.live(100);
    expect(h.state).toBe('alert.escalated');
    const notified = h.effects.find((e) => e.kind === 'notifyStaff');
    expect(notified).toEqual({ t: t0 + 20000, kind: 'notifyStaff', reason: 'no_mask' });
    expect(h.prompts()).toEqual(['wear_mask', 'escalation']);
    expect(h.outputs).toMatchObject({ buzzer: 'escalated', redLed: 'on', relay: 'locked', display: 'staff_called' });
  });

  test('a passage while locked is reported as forced', async () => {
    const h = await booted();
    h.addPerson('no_mask');
    h.frames(K);
    h.actor.send({ type: 'PASSAGE' });
    expect(h.effects.some((e) => e.kind === 'forcedPassage')).toBe(true);
    expect(h.outputs.relay).toBe('locked');
  });
});

describe('several people', () => {
  test('one unmasked among masked alerts; clears only when everyone is masked', async () => {
    const h = await booted();
    const a = h.addPerson('mask');
    const b = h.addPerson('no_mask');
    h.frames(K);
    expect(h.state).toBe('alert.active');
    h.people.get(b)!.label = 'mask';
    h.frames(K);
    // The alerted person needs fresh evidence (gate.clearAfterAlert): K frames of mask are not enough.
    expect(h.state).toBe('alert.active');
    h.frames(h.settings.clearAfterAlert.maskFrames);
    expect(h.state).toBe('cleared.open');
    const cleared = h.effects.filter((e) => e.kind === 'decision').at(-1);
    expect(cleared).toMatchObject({ report: { outcome: 'cleared', verdict: { people: [{ id: a, verdict: 'mask' }, { id: b, verdict: 'mask' }] } } });
  });

  test('an unmasked person joining a cleared gate re-locks it', async () => {
    const h = await booted();
    h.addPerson('mask');
    h.frames(K);
    expect(h.outputs.relay).toBe('released');
    h.addPerson('no_mask');
    h.frames(K);
    expect(h.state).toBe('alert.active');
    expect(h.outputs.relay).toBe('locked');
  });

  test('an undecided newcomer keeps the gate evaluating even when others are masked', async () => {
    const h = await booted();
    h.addPerson('mask');
    h.addPerson('unknown');
    h.frames(8);
    expect(h.state).toBe('evaluating');
  });

  test('a person outside the zone does not block clearing', async () => {
    const h = await booted();
    h.addPerson('mask');
    h.addPerson('no_mask', false);
    h.frames(K);
    expect(h.state).toBe('cleared.open');
  });
});

describe('person gone', () => {
  test('after personGoneMs without a face the gate returns to idle', async () => {
    const h = await booted({ settings: { personGoneMs: 1500 } });
    h.addPerson('no_mask');
    h.frames(K);
    h.people.clear();
    h.live(1400);
    expect(h.state).toBe('alert.active');
    h.live(200);
    expect(h.state).toBe('idle');
    expect(h.outputs).toMatchObject({ redLed: 'off', buzzer: 'off', relay: 'locked' });
    expect(h.snapshot.context.tracks).toEqual({});
  });

  test('a face missing for less than personGoneMs keeps the decision', async () => {
    const h = await booted({ settings: { personGoneMs: 1500 } });
    h.addPerson('no_mask');
    h.frames(K);
    const saved = new Map(h.people);
    h.people.clear();
    h.live(1000);
    h.people = saved;
    h.live(2000);
    expect(h.state).toBe('alert.active');
    expect(h.prompts()).toEqual(['wear_mask']);
  });
});

describe('temperature screening', () => {
  const withThermo = { settings: { hasThermometer: true, feverThresholdC: 37.3 } };

  test('masked, then a normal reading: cleared with the temperature recorded', async () => {
    const h = await booted(withThermo);
    h.addPerson('mask');
    h.frames(K);
    expect(h.state).toBe('screening');
    expect(h.outputs.relay).toBe('locked');
    h.temperatureReads[0]!.resolve(36.6);
    await flush();
    expect(h.state).toBe('cleared.open');
    expect(h.effects.find((e) => e.kind === 'decision')).toMatchObject({ report: { outcome: 'cleared', temperatureC: 36.6 } });
  });

  test('a reading at the threshold is a fever alert with its own prompt; masks do not clear it', async () => {
    const h = await booted(withThermo);
    h.addPerson('mask');
    h.frames(K);
    h.temperatureReads[0]!.resolve(37.3);
    await flush();
    expect(h.state).toBe('alert.active');
    expect(h.snapshot.context.alertReason).toBe('fever');
    expect(h.outputs.display).toBe('temperature');
    expect(h.prompts()).toEqual(['temperature']);
    h.live(3000);
    expect(h.state).toBe('alert.active');
  });

  test('a failed read is a fault, never a pass, and retries after faultRetryMs', async () => {
    const h = await booted({ settings: { hasThermometer: true, faultRetryMs: 4000 } });
    h.addPerson('mask');
    h.frames(K);
    h.temperatureReads[0]!.reject(new Error('PEC mismatch'));
    await flush();
    expect(h.state).toBe('fault');
    expect(h.outputs.relay).toBe('locked');
    expect(h.snapshot.context.faults[0]).toEqual({ source: 'thermometer', reason: 'temperature read failed: PEC mismatch' });
    expect(h.prompts()).not.toContain('thank_you');
    h.live(3900);
    expect(h.state).toBe('fault');
    h.live(100);
    // Back in service with fresh evidence: the person is decided again and read again.
    expect(h.state).toBe('evaluating');
    h.frames(K);
    expect(h.state).toBe('screening');
    expect(h.temperatureReads).toHaveLength(2);
  });
});

describe('override, emergency, maintenance, fault', () => {
  test('the staff button opens the gate for one passage', async () => {
    const h = await booted();
    h.addPerson('no_mask');
    h.frames(K);
    h.actor.send({ type: 'STAFF_BUTTON' });
    expect(h.state).toBe('override');
    expect(h.outputs).toMatchObject({ relay: 'released', greenLed: 'blink', buzzer: 'off' });
    h.actor.send({ type: 'PASSAGE' });
    expect(h.state).toBe('idle');
    expect(h.outputs.relay).toBe('locked');
  });

  test('an unused override closes after relayOpenMs', async () => {
    const h = await booted({ settings: { relayOpenMs: 3000 } });
    h.actor.send({ type: 'OPEN_ONCE', by: 'dashboard' });
    h.clock.increment(2999);
    expect(h.outputs.relay).toBe('released');
    h.clock.increment(1);
    expect(h.state).toBe('idle');
  });

  test('the fire alarm releases the relay whatever is going on, until it clears', async () => {
    const h = await booted();
    h.addPerson('no_mask');
    h.frames(K);
    h.actor.send({ type: 'FAULT', source: 'camera', reason: 'no frames' });
    h.actor.send({ type: 'FIRE_ALARM_ON' });
    expect(h.state).toBe('emergency');
    expect(h.outputs).toMatchObject({ relay: 'released', buzzer: 'off', display: 'emergency' });
    h.actor.send({ type: 'STAFF_BUTTON' });
    h.actor.send({ type: 'MAINTENANCE_ON' });
    expect(h.state).toBe('emergency');
    h.actor.send({ type: 'FIRE_ALARM_OFF' });
    // Maintenance was switched on during the emergency: it wins over the pending camera fault.
    expect(h.state).toBe('maintenance');
    h.actor.send({ type: 'MAINTENANCE_OFF' });
    expect(h.state).toBe('fault');
    h.actor.send({ type: 'FAULT_CLEARED', source: 'camera' });
    expect(h.state).toBe('idle');
  });

  test('the fire alarm during boot releases the relay and boot resumes afterwards', async () => {
    const h = new GateHarness().start();
    h.actor.send({ type: 'FIRE_ALARM_ON' });
    expect(h.outputs.relay).toBe('released');
    h.actor.send({ type: 'FIRE_ALARM_OFF' });
    expect(h.state).toBe('booting');
    await h.boot();
    expect(h.state).toBe('idle');
  });

  test('maintenance disables the gate with a distinct indication', async () => {
    const h = await booted();
    h.actor.send({ type: 'MAINTENANCE_ON', by: 'operator' });
    expect(h.state).toBe('maintenance');
    expect(h.outputs).toMatchObject({ amberLed: 'blink', relay: 'locked', display: 'maintenance' });
    h.addPerson('no_mask');
    h.frames(K);
    h.actor.send({ type: 'STAFF_BUTTON' });
    expect(h.state).toBe('maintenance');
    expect(h.prompts()).toEqual([]);
    h.actor.send({ type: 'MAINTENANCE_OFF' });
    expect(h.state).toBe('idle');
  });

  test.each([
    ['secure', 'locked'],
    ['open', 'released'],
  ] as const)('a camera fault lights amber and the relay follows failMode %s', async (failMode, relay) => {
    const h = await booted({ settings: { failMode } });
    h.addPerson('mask');
    h.frames(K);
    h.actor.send({ type: 'FAULT', source: 'camera', reason: 'camera lost' });
    expect(h.state).toBe('fault');
    expect(h.outputs).toMatchObject({ amberLed: 'on', greenLed: 'off', relay, display: 'out_of_order' });
  });

  test('the gate recovers by itself only when every cause has cleared', async () => {
    const h = await booted();
    h.actor.send({ type: 'FAULT', source: 'camera', reason: 'camera lost' });
    h.actor.send({ type: 'FAULT', source: 'hardware', reason: 'GPIO write failed' });
    h.actor.send({ type: 'FAULT_CLEARED', source: 'camera' });
    expect(h.state).toBe('fault');
    h.clock.increment(60000); // external faults do not time out
    expect(h.state).toBe('fault');
    h.actor.send({ type: 'FAULT_CLEARED', source: 'hardware' });
    expect(h.state).toBe('idle');
  });

  test('staff can let one person through during a fault; the fault stays', async () => {
    const h = await booted({ settings: { relayOpenMs: 2000 } });
    h.actor.send({ type: 'FAULT', source: 'detector', reason: 'inference failed' });
    h.actor.send({ type: 'STAFF_BUTTON' });
    expect(h.outputs.relay).toBe('released');
    h.clock.increment(2000);
    expect(h.state).toBe('fault');
  });
});
