import type { ReportStatus } from '@cityloop/shared';

/** A service (problem type) the case system accepts; Open311's GET services.json. */
export interface CaseService {
  serviceCode: string;
  serviceName: string;
  group: string;
  /** true: the service has a definition (attributes) to read before posting. */
  metadata: boolean;
  /** realtime answers an id, batch a token, blackbox neither (Open311). */
  type: 'realtime' | 'batch' | 'blackbox';
  keywords: string[];
}

/**
 * What a create answered. `caseId` null: the case system has the request (2xx) but gave no number yet,
 * as blackbox and batch services do; it is found later by token, our clientRequestId or its updates.
 * Posting again would duplicate the case on servers that do not dedupe, so this is no error.
 */
export interface CreatedCase {
  caseId: string | null;
  token?: string | null;
}

/** How to find a case delivered without a number. */
export interface CaseLookup {
  clientRequestId: string;
  serviceCode: string;
  token: string | null;
  sentAt: Date;
  description: string;
  lat: number;
  lng: number;
}

export interface NewCase {
  /** Our report id. The case system must treat a repeat with the same id as the same case (idempotent create). */
  clientRequestId: string;
  serviceCode: string;
  /** WGS-84. */
  lat: number;
  lng: number;
  address: string;
  description: string;
  /** Signed, expiring links to the photos. */
  mediaUrls: string[];
  /** Sent only when REPORTER_IDENTITY_TO_CASE_SYSTEM=true; by default the case system never learns who reported. */
  reporter?: { id: string };
}

/** One step of a case, as the case system reports it. */
export interface CaseUpdate {
  /** Unique per case system; used to apply each update once. */
  updateId: string;
  caseId: string;
  status: Exclude<ReportStatus, 'submitted'>;
  /** Official note (reason for 不予立案, handling result, …). */
  note: string | null;
  department: string | null;
  expectedAt: Date | null;
  /** After-photos and other media attached to this update. */
  mediaUrls: string[];
  /** When the case system made the change; older updates than the last applied are ignored. */
  updatedAt: Date;
  /** For `duplicate`: the case this one was merged into. */
  mergedInto?: string | null;
}

export interface CaseSnapshot {
  caseId: string;
  status: Exclude<ReportStatus, 'submitted'>;
  note: string | null;
  department: string | null;
  expectedAt: Date | null;
  updatedAt: Date;
  /** Every update so far, oldest first (Open311 extension). */
  updates: CaseUpdate[];
}

/** A failure worth retrying (network, 5xx, timeout) versus a refusal that never will succeed (4xx). */
export class CaseSystemError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'CaseSystemError';
  }
}

/** Port: the city's case system (数字城管 / 12345). One adapter per protocol; Open311 GeoReport v2 first. */
export interface CaseSystem {
  listServices(): Promise<CaseService[]>;
  /** Creates the case or, for a clientRequestId seen before, returns the existing one. */
  createCase(input: NewCase): Promise<CreatedCase>;
  /** The number of a case delivered without one; null while the case system does not show it yet. */
  findCase(lookup: CaseLookup): Promise<string | null>;
  getCase(caseId: string): Promise<CaseSnapshot>;
  /** Asks for the case to be worked again (重办) after a bad rating. */
  requestRework(caseId: string, reason: string): Promise<void>;
  /** Passes a 差评 to the handling unit, which must follow it up by the deadline. */
  sendBadRating(caseId: string, feedback: BadRatingFeedback): Promise<void>;
}

export interface BadRatingFeedback {
  level: string;
  levelName: string;
  comment: string;
  followUpDueAt: Date;
}
