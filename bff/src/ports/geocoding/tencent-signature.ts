import { createHash } from 'node:crypto';

/**
 * Tencent Location Service's SN signature (签名校验) for GET requests: md5 of the request path, `?`,
 * the parameters sorted by name and joined as `name=value` with `&` (raw values, never URL-encoded),
 * and the SecretKey, as lowercase hex; sent as `sig`. The path must be the one requested, trailing
 * slash and all. https://lbs.qq.com/faq/serverFaq/webServiceKey
 */
export function tencentSignature(path: string, params: Record<string, string>, secretKey: string): string {
  const query = Object.keys(params)
    .filter((name) => name !== 'sig')
    .sort()
    .map((name) => `${name}=${params[name]}`)
    .join('&');
  return createHash('md5').update(`${path}?${query}${secretKey}`, 'utf8').digest('hex');
}
