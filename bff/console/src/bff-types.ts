/**
 * Response shapes the BFF has not (yet) published in shared/: derived from the BFF's own use-case
 * functions, type-only (erased at build), so they are never copied by hand and a change there
 * breaks `npm run typecheck` here.
 */
import type { reviewQueue, createPayoutBatch, recordBatchResults, rewardFigures } from '../../src/features/rewards/rewards.usecases';
import type { listRatingsForStaff } from '../../src/features/ratings/ratings.usecases';
import type { importSpots } from '../../src/features/stalls/stalls.usecases';

export type ReviewQueueDto = Awaited<ReturnType<typeof reviewQueue>>;
export type HeldRewardDto = ReviewQueueDto['held'][number];
export type RewardAppealItemDto = ReviewQueueDto['appeals'][number];
export type CreatedPayoutBatchDto = Awaited<ReturnType<typeof createPayoutBatch>>;
export type BatchResultsDto = Awaited<ReturnType<typeof recordBatchResults>>;
export type RewardFiguresDto = Awaited<ReturnType<typeof rewardFigures>>;
export type StaffRatingItemDto = Awaited<ReturnType<typeof listRatingsForStaff>>[number];
export type ImportResultDto = Awaited<ReturnType<typeof importSpots>>;
