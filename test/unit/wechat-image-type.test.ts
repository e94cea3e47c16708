import { describe, expect, it } from 'vitest';
import { encodePng } from '../../shared/wechat/fake/index.js';
import { imageType } from '../../shared/wechat/index.js';

/** WeChat labels every 小程序码 image/jpeg; what the bytes are decides what the phone is told. */
describe('imageType', () => {
  it('knows a PNG and a JPEG by their first bytes, and nothing else', () => {
    expect(imageType(encodePng(8, {}))).toBe('image/png');
    expect(imageType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]))).toBe('image/jpeg');
    expect(imageType(new TextEncoder().encode('{"errcode":45009}'))).toBeNull();
    expect(imageType(new TextEncoder().encode('<html>gateway</html>'))).toBeNull();
    expect(imageType(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toBeNull(); // a cut-off PNG signature
    expect(imageType(new Uint8Array([]))).toBeNull();
  });
});
