import { POPULAR_CATEGORY_CODES, REPORT_CATEGORIES, CATEGORY_KEYWORDS, findCategory, searchCategories } from '../../shared/src';

describe('searchCategories (随手拍 category search)', () => {
  it('finds by the name first, then by what residents call it', () => {
    const codes = searchCategories('垃圾').map((c) => c.code);
    // 暴露垃圾, 垃圾满溢 and 垃圾桶破损 carry it in the name; 乱堆物料 only as a keyword (建筑垃圾).
    expect(codes.slice(0, 3)).toEqual(['exposed_garbage', 'garbage_overflow', 'trash_bin']);
    expect(codes).toContain('piled_materials');
    expect(codes.indexOf('piled_materials')).toBeGreaterThan(2);
  });

  it('matches colloquial words that are not in any name', () => {
    expect(searchCategories('牛皮癣').map((c) => c.code)).toEqual(['illegal_small_ads']);
    // 共享单车乱停放 has it in the name, 违章停车 as a keyword.
    expect(searchCategories('乱停').map((c) => c.code)).toEqual(['shared_bike_clutter', 'illegal_parking']);
    expect(searchCategories('厕所').map((c) => c.code)).toEqual(['public_toilet']);
  });

  it('needs every word to match, ignores case and spacing, and returns nothing for blank or unknown text', () => {
    expect(searchCategories('  乱停   单车 ').map((c) => c.code)).toEqual(['shared_bike_clutter']);
    expect(searchCategories('')).toEqual([]);
    expect(searchCategories('   ')).toEqual([]);
    expect(searchCategories('火星')).toEqual([]);
  });

  it('keeps its tables in step with the category list', () => {
    expect(Object.keys(CATEGORY_KEYWORDS).sort()).toEqual(REPORT_CATEGORIES.map((c) => c.code).sort());
    for (const code of POPULAR_CATEGORY_CODES) expect(findCategory(code)).toBeDefined();
  });
});
