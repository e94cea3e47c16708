import { z } from '@hono/zod-openapi';
import { errors, IsoTime } from './common.js';

/** `?delivery=url`: always a link, for mini-programs (wx.request for the link, then wx.downloadFile). */
export const DeliveryQuery = z
  .enum(['auto', 'url'])
  .default('auto')
  .openapi({
    description:
      'auto (default): the file in the body while it is small, else 303 See Other to a download link; ' +
      'url: always JSON {url, expiresAt, bytes}, for wx.downloadFile (then wx.openDocument for an xlsx, with fileType: "xlsx")',
  });

export const ExportLinkSchema = z
  .object({
    url: z.url().openapi({ description: 'presigned GET of the file: no Authorization header; works until expiresAt' }),
    expiresAt: IsoTime,
    bytes: z.number().int().min(0).openapi({ description: 'size of the file (a CSV: BOM included)' }),
  })
  .openapi('ExportLink');

/** The responses of a CSV export route: the file, its link, or 303 to the link. */
export const csvExportResponses = {
  200: {
    description: 'text/csv: the file (UTF-8 with BOM); application/json with ?delivery=url: a link to it',
    content: { 'text/csv': { schema: z.string() }, 'application/json': { schema: ExportLinkSchema } },
  },
  303: {
    description:
      'The CSV is too large to answer in the body (over EXPORT_INLINE_MAX_BYTES, 2 MiB by default): Location is a ' +
      'presigned download URL valid for EXPORT_URL_TTL_SECONDS (10 minutes by default); follow it without the Authorization header',
    headers: z.object({ Location: z.url() }),
  },
  400: errors[400],
  401: errors[401],
  403: errors[403],
  404: errors[404],
  503: errors[503],
} as const;

/** The responses of an xlsx export route: the workbook, its link, or 303 to the link. */
export const xlsxExportResponses = {
  ...csvExportResponses,
  200: {
    description: 'the workbook (one sheet); application/json with ?delivery=url: a link to it',
    content: {
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) },
      'application/json': { schema: ExportLinkSchema },
    },
  },
} as const;
