/**
 * Staff roles and what each may do: the one permission table. The BFF enforces it in one middleware
 * (`staffGuard(permission)`); the console may hide what a role cannot do, but hiding is never the check.
 *
 * Roles follow bureau practice (管审分离): whoever prepares a payout batch or files a rating appeal is not
 * the one who confirms or decides it. That second-person rule is checked where the action happens,
 * on top of the table, because it depends on who did the first step.
 */
export const STAFF_ROLES = ['admin', 'reviewer', 'finance', 'operator', 'viewer'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const STAFF_ROLE_NAMES: Record<StaffRole, string> = {
  admin: '管理员',
  reviewer: '审核员',
  finance: '财务',
  operator: '业务员',
  viewer: '查看',
};

const ALL: readonly StaffRole[] = STAFF_ROLES;

export const STAFF_PERMISSIONS = {
  /** The published figures (响应率 … 满意率) and their CSV. */
  'figures.read': ALL,
  /** Reports in full (photos, place, timeline): not for the figures-only role. */
  'reports.read': ['admin', 'reviewer', 'operator'],
  /** Ratings and follow-ups (the rater stays anonymous). */
  'ratings.read': ['admin', 'reviewer', 'operator'],
  /** Reward rules, the review queue and the reward figures. */
  'rewards.read': ['admin', 'reviewer', 'finance'],
  /** Amounts, caps, budget and claim limits. */
  'rewards.rules.edit': ['admin'],
  /** Approve or reject held rewards, decide residents' reward appeals. */
  'rewards.review': ['admin', 'reviewer'],
  /** Batch pending claims and export the batch. */
  'payouts.prepare': ['admin', 'finance'],
  /** Mark a batch's claims paid or failed; never the member who prepared that batch. */
  'payouts.confirm': ['admin', 'finance'],
  /** Create, edit, suspend, resume and import stall spots. */
  'stalls.manage': ['admin', 'operator'],
  /** Close a 差评 follow-up. */
  'ratings.follow_up': ['admin', 'operator'],
  /** File an appeal against a rating thought mistaken or malicious. */
  'ratings.appeal.file': ['admin', 'reviewer', 'operator'],
  /** Decide a rating appeal; never the member who filed it. */
  'ratings.appeal.decide': ['admin', 'reviewer'],
  /** Exclude residents from rewards, block and unblock them. */
  'residents.manage': ['admin', 'reviewer'],
  /** Staff accounts: create, change role, disable, unlock. */
  'staff.manage': ['admin'],
  /** Read the audit log (who changed what, when). */
  'audit.read': ['admin'],
} as const satisfies Record<string, readonly StaffRole[]>;

export type StaffPermission = keyof typeof STAFF_PERMISSIONS;

export function isStaffRole(value: unknown): value is StaffRole {
  return typeof value === 'string' && (STAFF_ROLES as readonly string[]).includes(value);
}

/** Whether a role may perform an action. Unknown roles may do nothing. */
export function can(role: string, permission: StaffPermission): boolean {
  return isStaffRole(role) && (STAFF_PERMISSIONS[permission] as readonly StaffRole[]).includes(role);
}

/** Everything a role may do, for the console to show or hide controls. */
export function permissionsOf(role: string): StaffPermission[] {
  return (Object.keys(STAFF_PERMISSIONS) as StaffPermission[]).filter((p) => can(role, p));
}
