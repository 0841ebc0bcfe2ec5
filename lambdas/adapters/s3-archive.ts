import { createHmac, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import {
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  NoSuchKey,
  type ObjectVersion,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import {
  ARCHIVE_ROOT,
  type ArchivedObject,
  type ArchiveObject,
  type ArchiveSink,
  archiveKey,
  archiveKeyTime,
  archiveKeyTimePrefix,
  archiveLines,
  LAST_CLEAR_KEY,
} from "../core/archive";
import { isValueMismatchPolicy, type ValueMismatchPolicy } from "../core/rules";

/**
 * The order archive on S3 (see core/archive.ts for its format). Compression runs on libuv's
 * thread pool, off the event loop, slice by slice as the consumer adds them; level 1 keeps it
 * cheap (about 7:1 on order JSON). Each object is stored with an authenticator (an HMAC-SHA256 in
 * its metadata, over the compressed bytes: a fraction of a millisecond a batch) that a rebuild
 * checks before it reads anything else.
 */

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/**
 * The most one archive object may hold, stored or decompressed. The consumer writes one object a
 * batch: 10,000 orders of about 3 KB make 30 MB. Anything larger is not ours (a gzip bomb
 * decompresses a few KB into gigabytes): it is refused before it can exhaust memory.
 */
const MAX_ARCHIVE_OBJECT_BYTES = 256 * 1024 * 1024;

/** An archive object that cannot be read as one (not gzip, corrupt, or too large): a rebuild skips it. */
export class UnreadableArchiveObjectError extends Error {
  override readonly name: string = "UnreadableArchiveObjectError";
  readonly key: string;
  readonly reason: string;
  constructor(key: string, reason: string) {
    super(`archive object ${key} is unreadable: ${reason}`);
    this.key = key;
    this.reason = reason;
  }
}

/**
 * An archive object whose authenticator is missing or does not hold: not written by this
 * deployment's consumer (added by someone with write access, copied from another key or another
 * deployment), changed since, or written before the archive was authenticated. A rebuild skips it.
 */
export class UnauthenticatedArchiveObjectError extends UnreadableArchiveObjectError {
  override readonly name = "UnauthenticatedArchiveObjectError";
}

/** Where a rebuild starts: the latest clear (the admin function notes it, and reads it to start). */
export interface ArchiveClearMarks {
  /** Notes a clear: rebuilds start after it. */
  markCleared(at?: Date): Promise<void>;
  /** The key a rebuild starts after: the latest clear's time, or the archive's start. */
  startAfter(): Promise<string>;
}

export interface OrderArchive extends ArchiveSink, ArchiveClearMarks {
  /** Up to `limit` keys after `after`, in order. */
  list(after: string, limit?: number): Promise<string[]>;
  /**
   * One object, its authenticator checked before anything else; UnauthenticatedArchiveObjectError
   * when it does not hold, UnreadableArchiveObjectError when it cannot be read as an archive object.
   */
  read(key: string): Promise<ArchivedObject>;
}

export interface S3ArchiveOptions {
  /**
   * The key of every object's authenticator: only the consumer (writing) and the rebuild
   * (checking) hold it. Never rotated: objects written under an earlier key would no longer hold.
   */
  authenticationKey: string;
  /** The most an object may hold, stored or decompressed (MAX_ARCHIVE_OBJECT_BYTES). */
  maxObjectBytes?: number | undefined;
}

export function createS3Archive(s3: S3Client, bucket: string, options: S3ArchiveOptions): OrderArchive {
  return new S3OrderArchive(s3, bucket, options);
}

/** The clear marks alone: what the admin function needs, without the authentication key. */
export function archiveClearMarks(s3: S3Client, bucket: string): ArchiveClearMarks {
  return {
    async markCleared(at = new Date()): Promise<void> {
      const marker = { cleared_at: at.toISOString(), start_after: archiveKeyTimePrefix(at) };
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: LAST_CLEAR_KEY,
          Body: JSON.stringify(marker),
          ContentType: "application/json",
        }),
      );
    },
    async startAfter(): Promise<string> {
      try {
        const reply = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: LAST_CLEAR_KEY }));
        const marker = JSON.parse(await (reply.Body?.transformToString() ?? "{}")) as {
          start_after?: string;
        };
        return marker.start_after ?? ARCHIVE_ROOT;
      } catch (error) {
        if (error instanceof NoSuchKey) return ARCHIVE_ROOT;
        throw error;
      }
    },
  };
}

/**
 * The object metadata (`x-amz-meta-*`) an archive object is stored with: its writer's policy, and
 * the authenticator over its key, that policy and its bytes (so an object copied under another
 * key, or claiming another policy, no longer holds).
 */
export function archiveObjectMetadata(
  authenticationKey: string,
  objectKey: string,
  valueMismatch: ValueMismatchPolicy,
  body: Uint8Array,
): Record<string, string> {
  return {
    [METADATA.valueMismatch]: valueMismatch,
    [METADATA.authenticator]: authenticator(authenticationKey, objectKey, valueMismatch, body).toString(
      "hex",
    ),
  };
}

const METADATA = { authenticator: "hmac-sha256", valueMismatch: "value-mismatch" } as const;
/** Names what the authenticator covers, so that another use of the key can never produce one. */
const AUTHENTICATOR_SCHEME = "orders-archive-object-v1";

function authenticator(key: string, objectKey: string, valueMismatch: string, body: Uint8Array): Buffer {
  return createHmac("sha256", key)
    .update(`${AUTHENTICATOR_SCHEME}\n${objectKey}\n${valueMismatch}\n`)
    .update(body)
    .digest();
}

class S3OrderArchive implements OrderArchive {
  private readonly s3: S3Client;
  private readonly bucket: string;
  private readonly authenticationKey: string;
  private readonly maxObjectBytes: number;
  private readonly clearMarks: ArchiveClearMarks;
  /**
   * The version each listed key is read at: its oldest, the one the consumer created (a later
   * version means someone replaced it). Empty where the store keeps no versions (local mode's).
   */
  private readonly versionOf = new Map<string, string>();
  /** Whether the bucket keeps versions: settled by the first listing that finds objects. */
  private versioned: boolean | undefined;

  constructor(s3: S3Client, bucket: string, options: S3ArchiveOptions) {
    this.s3 = s3;
    this.bucket = bucket;
    this.authenticationKey = options.authenticationKey;
    this.maxObjectBytes = options.maxObjectBytes ?? MAX_ARCHIVE_OBJECT_BYTES;
    this.clearMarks = archiveClearMarks(s3, bucket);
  }

  open(writer: string, valueMismatch: ValueMismatchPolicy): ArchiveObject {
    // Named and stamped when opened: keys sort in the order batches started to be archived.
    const now = new Date();
    const archivedAt = now.toISOString();
    // Each slice is its own gzip member, compressed on the thread pool while the next is judged;
    // members one after another make one gzip file (RFC 1952), which gunzip and zcat read whole.
    const members: Promise<Buffer>[] = [];
    return {
      add(messages) {
        members.push(gzipAsync(archiveLines(messages, archivedAt), { level: 1 }));
      },
      close: async () =>
        this.create(archiveKey(now, writer), valueMismatch, Buffer.concat(await Promise.all(members))),
    };
  }

  /** Archive objects are only ever created: a key is unique to its batch, never written twice. */
  private async create(key: string, valueMismatch: ValueMismatchPolicy, body: Buffer): Promise<string> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: "application/x-ndjson",
          ContentEncoding: "gzip",
          Metadata: archiveObjectMetadata(this.authenticationKey, key, valueMismatch, body),
          // Create only (the consumer's role may not do otherwise): no write replaces a version.
          IfNoneMatch: "*",
        }),
      );
    } catch (error) {
      // The key exists: an earlier attempt of this very write succeeded, then the SDK retried it.
      if (!(error instanceof S3ServiceException && error.$metadata.httpStatusCode === 412)) throw error;
    }
    return key;
  }

  markCleared(at?: Date): Promise<void> {
    return this.clearMarks.markCleared(at);
  }

  startAfter(): Promise<string> {
    return this.clearMarks.startAfter();
  }
  async list(after: string, limit = 1000): Promise<string[]> {
    if (this.versioned !== false) {
      const keys = await this.listVersions(after, limit);
      if (keys !== undefined) return keys;
    }
    // A store that knows no versions (local mode's answers the versions listing with its plain
    // listing, or refuses it): list objects. The first page that has objects settles which it is.
    const reply = await this.s3.send(
      new ListObjectsV2Command({
        Bucket: this.bucket,
        Prefix: ARCHIVE_ROOT,
        StartAfter: after,
        MaxKeys: limit,
      }),
    );
    const keys = (reply.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
    if (keys.length > 0 && this.versioned === undefined) this.versioned = false;
    return keys;
  }

  /** The keys of a versioned bucket, noting the version of each to read; undefined: try a plain listing. */
  private async listVersions(after: string, limit: number): Promise<string[] | undefined> {
    try {
      const reply = await this.s3.send(
        new ListObjectVersionsCommand({
          Bucket: this.bucket,
          Prefix: ARCHIVE_ROOT,
          KeyMarker: after,
          MaxKeys: limit,
        }),
      );
      if (reply.Versions?.length) {
        this.versioned = true;
        const { keys, versions } = oldestVersions(reply.Versions, Boolean(reply.IsTruncated));
        for (const [key, versionId] of versions) this.versionOf.set(key, versionId);
        return keys;
      }
      return this.versioned ? [] : undefined;
    } catch (error) {
      if (this.versioned) throw error;
      return undefined;
    }
  }

  async read(key: string): Promise<ArchivedObject> {
    const versionId = this.versionOf.get(key);
    this.versionOf.delete(key);
    const reply = await this.s3.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
    );
    if ((reply.ContentLength ?? 0) > this.maxObjectBytes) {
      reply.Body?.transformToWebStream().cancel();
      throw new UnreadableArchiveObjectError(key, `larger than ${this.maxObjectBytes} bytes`);
    }
    const bytes = (await reply.Body?.transformToByteArray()) ?? new Uint8Array();
    // Checked before it is decompressed: nothing of an object not ours is looked at.
    const valueMismatch = this.authenticate(key, reply.Metadata ?? {}, bytes);
    const writtenAt = archiveKeyTime(key);
    if (writtenAt === undefined) throw new UnreadableArchiveObjectError(key, "its key names no time");
    return { writtenAt, valueMismatch, lines: await linesOf(key, bytes, this.maxObjectBytes) };
  }

  /** The policy an object's authenticator vouches for; UnauthenticatedArchiveObjectError when it does not hold. */
  private authenticate(
    key: string,
    metadata: Record<string, string>,
    bytes: Uint8Array,
  ): ValueMismatchPolicy {
    const given = metadata[METADATA.authenticator];
    const valueMismatch = metadata[METADATA.valueMismatch];
    if (given === undefined || !isValueMismatchPolicy(valueMismatch))
      throw new UnauthenticatedArchiveObjectError(
        key,
        "it has no authenticator (written before the archive was authenticated, or not by the consumer)",
      );
    const expected = authenticator(this.authenticationKey, key, valueMismatch, bytes);
    const tag = Buffer.from(given, "hex");
    if (tag.length !== expected.length || !timingSafeEqual(tag, expected))
      throw new UnauthenticatedArchiveObjectError(
        key,
        "its authenticator does not hold (changed, copied from another key, or written with another key)",
      );
    return valueMismatch;
  }
}

/**
 * The keys of one ListObjectVersions page, in order, and the oldest version of each. A truncated
 * page may hold only the newest versions of its last key: that key is left for the next page
 * (which starts after the previous key, so lists it whole), unless it is the page's only key.
 */
export function oldestVersions(
  listed: readonly Pick<ObjectVersion, "Key" | "VersionId" | "LastModified">[],
  truncated: boolean,
): { keys: string[]; versions: Map<string, string> } {
  const versions = new Map<string, { id: string; at: number }>();
  for (const version of listed) {
    if (!version.Key || !version.VersionId) continue;
    const at = version.LastModified?.getTime() ?? 0;
    const known = versions.get(version.Key);
    if (!known || at < known.at) versions.set(version.Key, { id: version.VersionId, at });
  }
  const keys = [...versions.keys()];
  if (truncated && keys.length > 1) versions.delete(keys.pop() as string);
  return { keys, versions: new Map([...versions].map(([key, { id }]) => [key, id])) };
}

/** An object's lines: S3 hands it back as stored (gzip); a client that decoded it already gets JSON text. */
async function linesOf(key: string, bytes: Uint8Array, maxBytes: number): Promise<string[]> {
  let text: string;
  if (isGzip(bytes)) {
    try {
      text = (await gunzipAsync(bytes, { maxOutputLength: maxBytes })).toString("utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UnreadableArchiveObjectError(
        key,
        code === "ERR_BUFFER_TOO_LARGE"
          ? `decompresses to more than ${maxBytes} bytes`
          : `not valid gzip (${code ?? "unknown error"})`,
      );
    }
  } else text = Buffer.from(bytes).toString("utf8");
  return text.split("\n").filter((line) => line.length > 0);
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}
