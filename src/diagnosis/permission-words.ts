/**
 * Space permissions as Confluence's permission screen names them, so an admin
 * finds the exact checkbox (Space settings → Permissions).
 */
export const PERMISSION_WORDS = {
  viewSpace: 'View – Space',
  addPage: 'Add – Page',
  addBlog: 'Add – Blog',
  addAttachment: 'Add – Attachments',
  addComment: 'Add – Comments',
  viewRestriction: 'Can view (page restriction)',
  canUse: 'Can use (product access)',
} as const;
