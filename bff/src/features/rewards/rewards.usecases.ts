/**
 * The rewards use cases, one module per concern: reads, claims, payout batches, review, expiry and
 * figures. This index keeps one import path for routes, jobs and tests.
 */
export { rewardsForReports, myRewards, setLeaderboardOptIn } from './reward-reads';
export { createClaim, settleClaim } from './reward-claims';
export { createPayoutBatch, listPayoutBatches, payoutBatchCsv, recordBatchResults } from './payout-batches';
export { appealReward, decideRewardAppeal, reviewHeldReward, reviewQueue, setRewardExclusion } from './reward-review';
export { expireUnclaimedRewards } from './reward-expiry';
export { rewardFigures } from './reward-figures';
