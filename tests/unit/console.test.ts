import { parseScheduleText } from '@cityloop/shared';
import { scheduleToText, readableWeek } from '../../bff/console/src/schedule-text';
import { ConfigError, loadConfig } from '../../bff/src/config';
import { consoleCsp, tileSourceOrigin } from '../../bff/src/http/console-static';

describe('console CSP and tile source', () => {
  it('takes the tile origin from the template, subdomain placeholders as a wildcard', () => {
    expect(tileSourceOrigin('http://127.0.0.1:4321/tiles/{z}/{x}/{y}.png')).toBe('http://127.0.0.1:4321');
    expect(tileSourceOrigin('https://t{s}.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=k')).toBe('https://*.tianditu.gov.cn');
    expect(tileSourceOrigin(undefined)).toBeNull();
    expect(tileSourceOrigin('/tiles/{z}/{x}/{y}.png')).toBeNull();
  });

  it('allows scripts from our origin only and images from the tile source', () => {
    const csp = consoleCsp('https://t{s}.tianditu.gov.cn/x/{z}/{x}/{y}');
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("img-src 'self' data: blob: https://*.tianditu.gov.cn;");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(consoleCsp(undefined)).toContain("img-src 'self' data: blob:;");
  });

  it('refuses a tile template without {z}, {x} and {y}', () => {
    expect(() => loadConfig({ NODE_ENV: 'development', CONSOLE_TILE_URL: 'https://tiles.example/{z}/{x}.png' })).toThrow(ConfigError);
    expect(loadConfig({ NODE_ENV: 'development', CONSOLE_TILE_URL: 'https://tiles.example/{z}/{x}/{y}.png' }).mapTiles.url).toBe('https://tiles.example/{z}/{x}/{y}.png');
  });
});

describe('console schedule editor', () => {
  it('writes a schedule back in the compact text form that parses to the same schedule', () => {
    const text = '1-5 06:00-08:30,17:00-21:00; 6,7 18:00-02:00; season 2026-06-01..2026-09-30; closed 2026-10-01; 2026-10-02 10:00-14:00';
    const parsed = parseScheduleText(text).schedule!;
    expect(scheduleToText(parsed)).toBe(text);
    expect(parseScheduleText(scheduleToText(parsed)).schedule).toEqual(parsed);
  });

  it('shows a readable week, overnight windows marked 次日', () => {
    const week = readableWeek(parseScheduleText('1-5 17:00-21:00; 6,7 18:00-02:00').schedule!);
    expect(week[0]).toEqual({ day: '周一', hours: '17:00–21:00' });
    expect(week[6]).toEqual({ day: '周日', hours: '18:00–次日02:00' });
    expect(parseScheduleText('daily 08:00-20:00').schedule && scheduleToText(parseScheduleText('daily 08:00-20:00').schedule!)).toBe('daily 08:00-20:00');
  });
});
