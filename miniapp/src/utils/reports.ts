import { CATEGORY_CLASS_NAMES, REPORT_CATEGORIES, type CategoryClass, type ReportCategory, type ReportStatus } from '@cityloop/shared';

export interface CategoryGroup {
  /** `event:市容环境`; the same 大类 name exists under both 事件 and 部件. */
  key: string;
  name: string;
  categories: ReportCategory[];
}

export interface CategorySection {
  klass: CategoryClass;
  name: string;
  groups: CategoryGroup[];
}

/** 事件 / 部件 → 大类 → categories, in the order the shared list defines them. */
export const CATEGORY_SECTIONS: readonly CategorySection[] = (['event', 'facility'] as CategoryClass[]).map((klass) => {
  const groups: CategoryGroup[] = [];
  REPORT_CATEGORIES.filter((cat) => cat.class === klass).forEach((cat) => {
    const key = `${klass}:${cat.group}`;
    let group = groups.find((g) => g.key === key);
    if (!group) {
      group = { key, name: cat.group, categories: [] };
      groups.push(group);
    }
    group.categories.push(cat);
  });
  return { klass, name: CATEGORY_CLASS_NAMES[klass], groups };
});

/** Colour per status (see .report-status in app.scss): blue in progress, green closed, red rejected, grey merged. */
export function reportStatusClass(status: ReportStatus | string): string {
  return `report-status report-status--${status}`;
}

/** The city's seven-step loop, as residents are told about it. */
export const REPORT_STEPS: ReadonlyArray<{ name: string; text: string }> = [
  { name: '上报', text: '您拍照提交，平台受理' },
  { name: '立案', text: '核实属于城市管理问题后立案' },
  { name: '派遣', text: '派给负责的处置部门' },
  { name: '处置', text: '部门到现场处理' },
  { name: '核查', text: '监督员复查处理结果' },
  { name: '结案', text: '确认解决后结案' },
  { name: '评价', text: '您对处理结果打分' },
];

/** Index into REPORT_STEPS of the step a report is at. */
export function reportStepIndex(status: ReportStatus): number {
  switch (status) {
    case 'submitted':
    case 'received':
      return 0;
    case 'accepted':
    case 'rejected':
    case 'duplicate':
      return 1;
    case 'dispatched':
    case 'reopened':
      return 2;
    case 'handled':
      return 4;
    case 'closed':
      return 5;
    default:
      return 0;
  }
}
