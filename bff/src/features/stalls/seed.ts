import { parseScheduleText } from '@cityloop/shared';
import type { Database } from '../../db/client';
import { stallSpots } from '../../db/schema';
import { spotInputSchema } from './stall-input';
import { inputToRow } from './stalls.usecases';
import { stallsRepository } from './stalls.repository';

/**
 * The 14 points named in the bureaus' own notices (Kunming Chenggong: 9; Hohhot Yuquan: 5).
 * Names and districts are real; coordinates were placed by hand from the street names, so every one
 * is flagged approximate, and hours, goods and capacity are plausible defaults for staff to correct.
 */
const SEED_ROWS = [
  [
    'KM-CG-01',
    '斗南湿地公园便民市场',
    'convenience_market',
    '呈贡区',
    '斗南街道',
    '云南省昆明市呈贡区斗南湿地公园入口广场',
    24.8995,
    102.7905,
    60,
    'produce|snacks|flowers',
    'water|toilet|parking',
    'daily 07:00-21:00',
  ],
  [
    'KM-CG-02',
    '联大街与景明南路交叉口疏导点',
    'guidance_point',
    '呈贡区',
    '吴家营街道',
    '云南师范大学联大街与景明南路交叉口',
    24.8402,
    102.8561,
    40,
    'snacks|produce|daily_goods',
    'power',
    '1-5 17:30-22:30; 6,7 10:00-22:30',
  ],
  ['KM-CG-03', '云南大学东门时段点', 'time_slot', '呈贡区', '吴家营街道', '吴家营街道云南大学东门外人行道', 24.8318, 102.8583, 30, 'snacks|books|daily_goods', '', 'daily 06:30-08:30,17:30-22:00'],
  [
    'KM-CG-04',
    '新天地雨花毓秀夜市',
    'night_market',
    '呈贡区',
    '雨花街道',
    '新天地雨花毓秀小区东侧',
    24.8496,
    102.8449,
    80,
    'snacks|clothing|daily_goods|handicrafts',
    'water|power|toilet',
    'daily 18:00-02:00',
  ],
  ['KM-CG-05', '仕林街摊点群', 'stall_cluster', '呈贡区', '吴家营街道', '仕林街中段', 24.8601, 102.8652, 50, 'snacks|produce|daily_goods', 'power', 'daily 17:00-23:00'],
  ['KM-CG-06', '大学城南站欣惠路疏导点', 'guidance_point', '呈贡区', '雨花街道', '雨花街道大学城南站欣惠路', 24.8203, 102.8502, 40, 'snacks|produce', '', 'daily 06:00-09:00,17:00-22:00'],
  ['KM-CG-07', '月华街便民市场', 'convenience_market', '呈贡区', '龙城街道', '月华街', 24.8733, 102.8544, 60, 'produce|daily_goods|repair', 'water|toilet', 'daily 06:00-20:00'],
  [
    'KM-CG-08',
    '翰林大观"雨花春市"',
    'seasonal_market',
    '呈贡区',
    '雨花街道',
    '翰林大观小区南门广场',
    24.8604,
    102.8401,
    70,
    'produce|flowers|handicrafts|snacks',
    'water|power|toilet',
    'season 2026-11-01..2027-05-31; 5-7 09:00-21:00; 1-4 16:00-21:00',
  ],
  ['KM-CG-09', '古城社区便民市场', 'convenience_market', '呈贡区', '龙城街道', '龙城街道古城社区', 24.8912, 102.8353, 45, 'produce|daily_goods', 'water', 'daily 06:00-12:00'],
  [
    'HH-YQ-01',
    '大盛魁北区广场地摊点',
    'stall_cluster',
    '玉泉区',
    '大南街街道',
    '大东街路南大盛魁北区广场',
    40.8004,
    111.6581,
    300,
    'snacks|clothing|daily_goods|handicrafts',
    'power|toilet',
    'daily 17:00-23:00',
  ],
  [
    'HH-YQ-02',
    '养鱼池东巷南口地摊点',
    'stall_cluster',
    '玉泉区',
    '大南街街道',
    '养鱼池东巷南口东西路南侧便道',
    40.7942,
    111.6553,
    200,
    'produce|snacks|daily_goods',
    '',
    'daily 06:00-09:00,17:00-22:00',
  ],
  ['HH-YQ-03', '建华街看守所西巷地摊点', 'time_slot', '玉泉区', '小召前街街道', '建华街看守所西巷', 40.7871, 111.6522, 150, 'produce|daily_goods', '', 'daily 06:00-10:00'],
  ['HH-YQ-04', '沟子板村绿化带便道地摊点', 'guidance_point', '玉泉区', '西菜园街道', '沟子板村绿化带便道', 40.7702, 111.6401, 150, 'produce|snacks', '', 'daily 16:00-22:00'],
  [
    'HH-YQ-05',
    '康居小区北侧渣土公园夜市',
    'night_market',
    '玉泉区',
    '兴隆巷街道',
    '康居小区北侧渣土公园',
    40.7783,
    111.6302,
    250,
    'snacks|clothing|daily_goods|handicrafts',
    'power|toilet|parking',
    'daily 18:00-00:30',
  ],
] as const;

const RULES = '每个摊位不超过 2 平方米；禁止露天烧烤和占用盲道；收摊后清理垃圾，恢复场地整洁。';

export function seedSpotInputs() {
  return SEED_ROWS.map(([code, name, kind, district, street, address, lat, lng, capacity, goods, facilities, scheduleText]) => {
    const { schedule, problems } = parseScheduleText(scheduleText);
    if (!schedule) throw new Error(`seed ${code}: ${problems.join('; ')}`);
    return spotInputSchema.parse({
      code,
      name,
      kind,
      district,
      street,
      address,
      location: { lat, lng, coordSystem: 'wgs84', approximate: true },
      radiusMeters: 80,
      capacity,
      goods: goods.split('|'),
      facilities: facilities ? facilities.split('|') : [],
      rules: RULES,
      schedule,
    });
  });
}

/** Inserts the seed points that are missing; never overwrites what staff have edited. */
export async function seedStallSpots(db: Database): Promise<number> {
  const rows = seedSpotInputs().map(inputToRow);
  const inserted = await db.insert(stallSpots).values(rows).onConflictDoNothing({ target: stallSpots.code }).returning({ id: stallSpots.id });
  if (inserted.length) await stallsRepository(db).fillMissingOpenHours();
  return inserted.length;
}
