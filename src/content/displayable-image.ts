// Image types every browser shows; anything else (TIFF, HEIC…) is offered as
// a file to download instead of an image that would render as a broken icon.
const DISPLAYABLE = /^image\/(?:png|jpeg|jpg|pjpeg|gif|webp|bmp|svg\+xml)$/i;

/** Whether an attachment of this content type can be shown as an image on the page. */
export function isDisplayableImage(contentType: string): boolean {
  return DISPLAYABLE.test(contentType.split(';')[0]?.trim() ?? '');
}
