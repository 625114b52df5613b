/**
 * Links into Confluence's own screens, for admins reading a bounce or a guide
 * page. The classic `.action` URLs work on Data Center and are still honoured
 * by Confluence Cloud's /wiki (they are what its space-tools menu links to).
 */
export type SiteFlavor = 'cloud' | 'datacenter';

const trim = (url: string) => url.replace(/\/+$/, '');

/** Space settings → Permissions (users and groups, per operation). */
export function spacePermissionsUrl(siteUrl: string, spaceKey: string): string {
  return `${trim(siteUrl)}/spaces/spacepermissions.action?key=${encodeURIComponent(spaceKey)}`;
}

/** The space's list of restricted pages. */
export function spaceRestrictionsUrl(siteUrl: string, spaceKey: string): string {
  return `${trim(siteUrl)}/pages/listpermissionpages.action?key=${encodeURIComponent(spaceKey)}`;
}

export function spaceUrl(siteUrl: string, spaceKey: string, flavor: SiteFlavor): string {
  const key = encodeURIComponent(spaceKey);
  return flavor === 'cloud' ? `${trim(siteUrl)}/spaces/${key}` : `${trim(siteUrl)}/display/${key}`;
}

export function pageUrl(siteUrl: string, pageId: string): string {
  return `${trim(siteUrl)}/pages/viewpage.action?pageId=${encodeURIComponent(pageId)}`;
}

/** Where the app user's product access and groups are managed. */
export function userManagementUrl(siteUrl: string, flavor: SiteFlavor): string {
  return flavor === 'cloud' ? 'https://admin.atlassian.com/' : `${trim(siteUrl)}/admin/users/browseusers.action`;
}
