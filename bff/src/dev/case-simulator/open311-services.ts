import { CATEGORY_KEYWORDS, REPORT_CATEGORIES, type ReportCategory } from '@cityloop/shared';

/** An attribute of a service definition (GET services/{code}), as the spec names its fields. */
export interface ServiceAttribute {
  variable: boolean;
  code: string;
  datatype: 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';
  required: boolean;
  datatype_description: string | null;
  order: number;
  description: string;
  values?: { key: string; name: string }[];
}

export type ServiceType = 'realtime' | 'batch' | 'blackbox';

export interface ServiceCatalogueOptions {
  /** Declare our extension attributes (client_request_id, media_urls, reporter_id) in every definition (default true). */
  declareExtensions?: boolean;
  /** Further attributes per service_code (a city's own fields, e.g. a required channel). */
  extraAttributes?: Record<string, ServiceAttribute[]>;
  /** Service type per service_code (default realtime): batch answers a token, blackbox neither id nor token. */
  serviceTypes?: Record<string, ServiceType>;
}

/** Our extension attributes, declared so that strict servers and clients can see them. */
const EXTENSION_ATTRIBUTES: readonly Omit<ServiceAttribute, 'order'>[] = [
  {
    variable: true,
    code: 'client_request_id',
    datatype: 'string',
    required: false,
    datatype_description: 'at most 200 characters',
    description: '来源平台的工单号；同一工单号再次提交时返回同一案件（幂等）',
  },
  {
    variable: true,
    code: 'media_urls',
    datatype: 'text',
    required: false,
    datatype_description: 'JSON array of http(s) URLs',
    description: 'media_url 之外的其他现场照片',
  },
  {
    variable: true,
    code: 'reporter_id',
    datatype: 'string',
    required: false,
    datatype_description: null,
    description: '举报人标识；仅在举报人同意公开身份时提供（默认举报人保密）',
  },
];

/** The service list and definitions the simulator offers: one service per report category. */
export class ServiceCatalogue {
  constructor(private readonly options: ServiceCatalogueOptions = {}) {}

  category(serviceCode: string): ReportCategory | undefined {
    return REPORT_CATEGORIES.find((cat) => cat.serviceCode === serviceCode);
  }

  type(serviceCode: string): ServiceType {
    return this.options.serviceTypes?.[serviceCode] ?? 'realtime';
  }

  list() {
    return REPORT_CATEGORIES.map((cat) => ({
      service_code: cat.serviceCode,
      service_name: cat.name,
      description: `${cat.group} · ${cat.name}`,
      metadata: this.attributes(cat).length > 0,
      type: this.type(cat.serviceCode),
      // The spec's keywords are one comma-separated string.
      keywords: [cat.code, ...(CATEGORY_KEYWORDS[cat.code] ?? [])].join(', '),
      group: cat.group,
    }));
  }

  definition(serviceCode: string) {
    const cat = this.category(serviceCode);
    return cat ? { service_code: cat.serviceCode, attributes: this.attributes(cat) } : null;
  }

  /** Every attribute code the service declares (for strict checking of what a client sends). */
  declaredCodes(serviceCode: string): Set<string> {
    const cat = this.category(serviceCode);
    return new Set(cat ? this.attributes(cat).map((a) => a.code) : []);
  }

  attributes(cat: ReportCategory): ServiceAttribute[] {
    const list: Omit<ServiceAttribute, 'order'>[] = [];
    // The photo rule is shown, not asked for (variable false): the photos travel as media_url.
    if (cat.photos.min > 0) {
      list.push({
        variable: false,
        code: 'photo_rule',
        datatype: 'string',
        required: false,
        datatype_description: null,
        description: `须附 ${cat.photos.min}–${cat.photos.max} 张现场照片`,
      });
    }
    if (this.options.declareExtensions !== false) list.push(...EXTENSION_ATTRIBUTES);
    list.push(...(this.options.extraAttributes?.[cat.serviceCode] ?? []));
    return list.map((a, i) => ({ ...a, order: i + 1 }));
  }
}
