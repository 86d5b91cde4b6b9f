import { cutText, REPORT_LIMITS, toStorableText, type CoordSystem, type LatLng, type ReverseGeocodeDto } from '@cityloop/shared';
import { fromWgs84, toWgs84 } from '../../geo/coords';
import { AppError } from '../../http/errors';
import type { Geocoder } from './geocoder';
import { tencentSignature } from './tencent-signature';

export interface TencentGeocoderOptions {
  /** https://apis.map.qq.com in production; the dev stand-in's URL in development and tests. */
  baseUrl: string;
  key: string;
  /** The SecretKey when the key has 签名校验 (SN) switched on; requests are then signed. */
  secretKey?: string;
  timeoutMs: number;
  /** Told about failures that are ours or the service's, never the resident's (no key, no point in it). */
  onUpstreamError?: (info: { status?: number; httpStatus?: number; reason: string }) => void;
}

export const TENCENT_GEOCODER_PATH = '/ws/geocoder/v1/';

/** China's ISO 3166 numeric code, as Tencent's ad_info.nation_code carries it. */
const CHINA_NATION_CODE = '156';

type Titled = { title?: unknown } | undefined;
interface TencentResult {
  address?: unknown;
  formatted_addresses?: { recommend?: unknown };
  address_component?: { nation?: unknown; province?: unknown; city?: unknown; district?: unknown };
  ad_info?: { nation?: unknown; nation_code?: unknown; province?: unknown; city?: unknown; district?: unknown };
  address_reference?: { town?: Titled; landmark_l1?: Titled; landmark_l2?: Titled; famous_area?: Titled };
}

/** Text from the service, made storable (U+FFFD for broken characters) and cut to what we keep. */
const textOf = (value: unknown, max: number = REPORT_LIMITS.addressMaxChars): string => (typeof value === 'string' ? cutText(toStorableText(value.trim()), max) : '');
const titleOf = (ref: Titled) => textOf(ref?.title);

/**
 * Adapter for Tencent Location Service's WebService 逆地址解析, `GET /ws/geocoder/v1/?location=lat,lng&key=…`,
 * which takes GCJ-02 (WGS-84 points are converted first). Answers `{ status, message, result }`; status 0
 * is success, 347 "no result", 120/121 per-second and daily quotas, 110–199 and 3xx our key or request.
 * https://lbs.qq.com/service/webService/webServiceGuide/address/Gcoder
 */
export class TencentGeocoder implements Geocoder {
  constructor(private readonly options: TencentGeocoderOptions) {}

  async reverse(point: LatLng, coordSystem: CoordSystem): Promise<ReverseGeocodeDto> {
    const gcj = coordSystem === 'gcj02' ? point : fromWgs84(toWgs84(point, coordSystem), 'gcj02');
    const params: Record<string, string> = { key: this.options.key, location: `${gcj.lat.toFixed(6)},${gcj.lng.toFixed(6)}`, get_poi: '0' };
    if (this.options.secretKey) params.sig = tencentSignature(TENCENT_GEOCODER_PATH, params, this.options.secretKey);
    const url = new URL(TENCENT_GEOCODER_PATH, this.options.baseUrl);
    url.search = new URLSearchParams(params).toString();

    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs), headers: { accept: 'application/json' } });
    } catch (err) {
      throw this.unavailable({ reason: (err as Error).name === 'TimeoutError' ? `timed out after ${this.options.timeoutMs} ms` : 'unreachable' }, err);
    }
    if (!response.ok) throw this.unavailable({ httpStatus: response.status, reason: 'http error' });
    let body: { status?: unknown; message?: unknown; result?: TencentResult };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw this.unavailable({ httpStatus: response.status, reason: 'response is not JSON' });
    }
    const status = typeof body.status === 'number' ? body.status : NaN;
    if (status !== 0) throw this.refusal(status, typeof body.message === 'string' ? body.message : '');
    if (!body.result || typeof body.result !== 'object') throw this.unavailable({ status, reason: 'status 0 without a result' });
    return present(body.result);
  }

  private refusal(status: number, message: string): AppError {
    if (status === 347) return new AppError('GEO_ADDRESS_NOT_FOUND');
    // 120: this key's requests per second. Worth one more try a second later; 121 (the day's quota) is not.
    if (status === 120) return this.unavailable({ status, reason: 'per-second limit' }, undefined, 1);
    return this.unavailable({ status, reason: status === 121 ? 'daily quota reached' : cutText(message, 120) || 'refused' });
  }

  private unavailable(info: { status?: number; httpStatus?: number; reason: string }, cause?: unknown, retryAfterSeconds?: number): AppError {
    this.options.onUpstreamError?.(info);
    return new AppError('GEOCODER_UNAVAILABLE', undefined, retryAfterSeconds ? { retryAfterSeconds } : undefined, { cause });
  }
}

/** Joins administrative parts without repeating one (直辖市: 北京市北京市) or what the text already starts with. */
function prefixed(parts: string[], text: string): string {
  let prefix = '';
  for (const part of parts) if (part && !prefix.endsWith(part) && !text.startsWith(part)) prefix += part;
  return prefix + text;
}

function present(result: TencentResult): ReverseGeocodeDto {
  const parts = result.address_component ?? {};
  const ad = result.ad_info ?? {};
  const nationCode = typeof ad.nation_code === 'string' ? ad.nation_code : typeof ad.nation_code === 'number' ? String(ad.nation_code) : '';
  const nation = textOf(parts.nation ?? ad.nation);
  if ((nationCode && nationCode !== CHINA_NATION_CODE) || (nation && nation !== '中国')) throw new AppError('GEO_POINT_OUTSIDE_CHINA');
  const province = textOf(parts.province ?? ad.province, 50);
  const city = textOf(parts.city ?? ad.city, 50);
  const district = textOf(parts.district ?? ad.district, 50);
  const recommend = textOf(result.formatted_addresses?.recommend);
  const plain = textOf(result.address);
  const address = cutText(recommend ? prefixed([province, city, district], recommend) : plain, REPORT_LIMITS.addressMaxChars);
  if (!address && !district) throw new AppError('GEO_ADDRESS_NOT_FOUND');
  const ref = result.address_reference ?? {};
  return {
    address: address || prefixed([province, city], district),
    province,
    city,
    district,
    street: cutText(titleOf(ref.town), REPORT_LIMITS.streetMaxChars, ''),
    landmark: titleOf(ref.landmark_l2) || titleOf(ref.famous_area) || titleOf(ref.landmark_l1),
  };
}
