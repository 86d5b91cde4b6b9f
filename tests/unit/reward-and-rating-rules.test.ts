import {
  capReason,
  claimAmountProblem,
  decideReward,
  DEFAULT_REWARD_RULES as RULES,
  expiringAmountFen,
  formatYuan,
  hammingDistanceHex,
  isBadRating,
  maskName,
  ratePercent,
  ratingEligibility,
  REWARD_REASON_NAMES,
  type RewardFacts,
} from '@cityloop/shared';

const facts = (over: Partial<RewardFacts> = {}): RewardFacts => ({
  caseSignal: 'registered',
  tier: 'routine',
  reporter: { exclusion: null, blocked: false },
  earlierSameProblem: false,
  photos: [{ hoursOld: 1, metersFromReport: 20, seenOnEarlierReport: false }],
  usage: { userDayFen: 0, userMonthFen: 0, budgetMonthFen: 0 },
  ...over,
});

describe('decideReward', () => {
  it('pays the tier amount for a registered first report', () => {
    expect(decideReward(facts(), RULES)).toEqual({ outcome: 'accrued', amountFen: 200, reason: 'registered' });
    expect(decideReward(facts({ tier: 'standard' }), RULES).amountFen).toBe(2_000);
    // ¥1,000 for illegal building: above the ¥200 daily cap by design, so it is never capped per person,
    // and a person checks it before money moves.
    expect(decideReward(facts({ tier: 'major' }), RULES)).toEqual({ outcome: 'held', amountFen: 100_000, reason: 'review_large_amount' });
    expect(capReason(100_000, { userDayFen: 5_000, userMonthFen: 90_000, budgetMonthFen: 0 }, RULES, 'major')).toBeNull();
    expect(capReason(100_000, { userDayFen: 0, userMonthFen: 0, budgetMonthFen: 2_950_000 }, RULES, 'major')).toBe('budget_spent');
  });

  it('pays nothing without registration or when not first, before anything else is looked at', () => {
    expect(decideReward(facts({ caseSignal: 'rejected', reporter: { exclusion: 'staff', blocked: true } }), RULES).reason).toBe('not_registered');
    expect(decideReward(facts({ caseSignal: 'merged' }), RULES).reason).toBe('duplicate_in_case_system');
    expect(decideReward(facts({ earlierSameProblem: true }), RULES)).toEqual({ outcome: 'none', amountFen: 0, reason: 'duplicate' });
  });

  it('excludes blocked users, staff and inspectors', () => {
    expect(decideReward(facts({ reporter: { exclusion: null, blocked: true } }), RULES).reason).toBe('excluded_blocked');
    expect(decideReward(facts({ reporter: { exclusion: null, blocked: false, erased: true } }), RULES)).toMatchObject({ outcome: 'none', reason: 'excluded_erased' });
    expect(decideReward(facts({ reporter: { exclusion: 'staff', blocked: false } }), RULES).reason).toBe('excluded_staff');
    expect(decideReward(facts({ reporter: { exclusion: 'inspector', blocked: false } }), RULES).reason).toBe('excluded_inspector');
  });

  it('holds for review on an old, far or reused photo, keeping the amount', () => {
    expect(decideReward(facts({ photos: [{ hoursOld: 73, metersFromReport: null, seenOnEarlierReport: false }] }), RULES)).toEqual({ outcome: 'held', amountFen: 200, reason: 'review_photo_old' });
    expect(decideReward(facts({ photos: [{ hoursOld: 72, metersFromReport: 501, seenOnEarlierReport: false }] }), RULES).reason).toBe('review_photo_far');
    expect(decideReward(facts({ photos: [{ hoursOld: null, metersFromReport: null, seenOnEarlierReport: true }] }), RULES).reason).toBe('review_photo_reused');
    // No EXIF time and no GPS is not suspicious in itself (many phones strip them).
    expect(decideReward(facts({ photos: [{ hoursOld: null, metersFromReport: null, seenOnEarlierReport: false }] }), RULES).outcome).toBe('accrued');
    expect(decideReward(facts({ photos: [] }), RULES).outcome).toBe('accrued');
  });

  it('applies the caps all or nothing: exactly reaching a cap pays, overrunning it pays nothing', () => {
    expect(decideReward(facts({ usage: { userDayFen: 19_800, userMonthFen: 0, budgetMonthFen: 0 } }), RULES).outcome).toBe('accrued');
    expect(decideReward(facts({ usage: { userDayFen: 19_900, userMonthFen: 0, budgetMonthFen: 0 } }), RULES).reason).toBe('daily_cap_reached');
    expect(decideReward(facts({ usage: { userDayFen: 0, userMonthFen: 99_900, budgetMonthFen: 0 } }), RULES).reason).toBe('monthly_cap_reached');
    expect(decideReward(facts({ usage: { userDayFen: 0, userMonthFen: 0, budgetMonthFen: 2_999_900 } }), RULES).reason).toBe('budget_spent');
    expect(capReason(200, { userDayFen: 0, userMonthFen: 0, budgetMonthFen: 2_999_800 }, RULES, 'routine')).toBeNull();
  });

  it('has a Chinese reason for every outcome', () => {
    for (const name of Object.values(REWARD_REASON_NAMES)) expect(name).toMatch(/[\u4e00-\u9fa5]/);
    expect(REWARD_REASON_NAMES.duplicate).toContain('重复举报');
  });
});

describe('claims, expiry and display helpers', () => {
  it('claimAmountProblem refuses non-integers, non-positive, out-of-range and over-balance amounts', () => {
    expect(claimAmountProblem(200, 500, RULES)).toBeNull();
    for (const bad of [0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2]) expect(claimAmountProblem(bad, 10 ** 9, RULES)).toContain('正整数');
    expect(claimAmountProblem(99, 500, RULES)).toContain('不少于 ¥1.00');
    expect(claimAmountProblem(20_001, 10 ** 6, RULES)).toContain('不超过 ¥200.00');
    expect(claimAmountProblem(600, 500, RULES)).toContain('余额不足');
    expect(claimAmountProblem(100, -200, RULES)).toContain('¥0.00');
  });

  it('expiringAmountFen spends the oldest credits first and never exceeds the balance', () => {
    expect(expiringAmountFen({ creditsBeforeCutoffFen: 500, debitsFen: 200, balanceFen: 600 })).toBe(300);
    expect(expiringAmountFen({ creditsBeforeCutoffFen: 500, debitsFen: 700, balanceFen: 600 })).toBe(0);
    expect(expiringAmountFen({ creditsBeforeCutoffFen: 500, debitsFen: 0, balanceFen: 100 })).toBe(100);
    expect(expiringAmountFen({ creditsBeforeCutoffFen: 500, debitsFen: 0, balanceFen: -50 })).toBe(0);
  });

  it('hammingDistanceHex counts differing bits', () => {
    expect(hammingDistanceHex('0000000000000000', '0000000000000000')).toBe(0);
    expect(hammingDistanceHex('0000000000000000', 'ffffffffffffffff')).toBe(64);
    expect(hammingDistanceHex('f0f0f0f0f0f0f0f0', 'f0f0f0f0f0f0f0f1')).toBe(1);
    expect(hammingDistanceHex('00', '0000')).toBe(64);
  });

  it('formatYuan and maskName', () => {
    expect([formatYuan(0), formatYuan(5), formatYuan(200), formatYuan(123_456), formatYuan(-200)]).toEqual(['¥0.00', '¥0.05', '¥2.00', '¥1234.56', '-¥2.00']);
    expect(maskName('张三丰', 'x')).toBe('张**');
    expect(maskName('李四', 'x')).toBe('李*');
    expect(maskName(' ', '1234abcd-0000-0000-0000-00000000beef')).toBe('市民beef');
  });
});

describe('ratings', () => {
  const closedAt = new Date('2026-11-01T02:00:00Z');
  const base = { status: 'closed', closedAt, ratedRounds: 0, reworkRequestedAt: null as Date | null, now: new Date('2026-11-03T00:00:00Z'), windowDays: 7 };

  it('ratingEligibility: closed, not yet rated, within the window', () => {
    expect(ratingEligibility(base)).toEqual({ canRate: true, round: 1, windowEndsAt: new Date('2026-11-08T02:00:00Z') });
    expect(ratingEligibility({ ...base, status: 'handled' })).toEqual({ canRate: false, reason: 'not_closed' });
    expect(ratingEligibility({ ...base, closedAt: null })).toEqual({ canRate: false, reason: 'not_closed' });
    expect(ratingEligibility({ ...base, ratedRounds: 1 })).toEqual({ canRate: false, reason: 'already_rated' });
    expect(ratingEligibility({ ...base, now: new Date('2026-11-08T02:00:00Z') }).canRate).toBe(true);
    expect(ratingEligibility({ ...base, now: new Date('2026-11-08T02:00:01Z') })).toEqual({ canRate: false, reason: 'window_passed' });
  });

  it('a rework opens exactly one more round, only once the case is closed again', () => {
    const requested = new Date('2026-11-02T00:00:00Z');
    // Asked for rework, case system has not reopened it yet: still the first closure.
    expect(ratingEligibility({ ...base, ratedRounds: 1, reworkRequestedAt: requested })).toEqual({ canRate: false, reason: 'rework_in_progress' });
    const reclosed = { ...base, closedAt: new Date('2026-11-20T00:00:00Z'), now: new Date('2026-11-21T00:00:00Z'), ratedRounds: 1, reworkRequestedAt: requested };
    expect(ratingEligibility(reclosed)).toEqual({ canRate: true, round: 2, windowEndsAt: new Date('2026-11-27T00:00:00Z') });
    expect(ratingEligibility({ ...reclosed, ratedRounds: 2 })).toEqual({ canRate: false, reason: 'already_rated' });
  });

  it('差评 are the two lowest levels; rates are never made up', () => {
    expect(['very_satisfied', 'satisfied', 'basically_satisfied', 'dissatisfied', 'very_dissatisfied'].map((l) => isBadRating(l as never))).toEqual([false, false, false, true, true]);
    expect(ratePercent(0, 0)).toBeNull();
    expect(ratePercent(2, 3)).toBe(66.7);
    expect(ratePercent(686, 1000)).toBe(68.6);
    expect(ratePercent(5, 5)).toBe(100);
  });
});
