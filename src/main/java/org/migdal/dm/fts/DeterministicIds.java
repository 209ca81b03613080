package org.migdal.dm.fts;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Deterministic FTS3 job ids (reference §2.2 {@code id_generator}, §7 "Deterministic ids"): a job submitted with
 * {@code id_generator: "deterministic"} and a {@code sid} gets the id {@code uuid5(uuid5(base_id, vo), sid)}, where
 * {@code base_id} and {@code vo} ({@code vos[0]}) come from {@code /whoami}. Knowing the id before submitting lets a
 * submission whose reply was lost be looked up instead of duplicated.
 */
public final class DeterministicIds {
    /** The constant {@code base_id} of fts-rest ({@code BASE_ID} in JobBuilder_utils.py). */
    public static final UUID FTS_BASE_ID = UUID.fromString("01874efb-4735-4595-bc9c-591aef8240c9");

    private DeterministicIds() {
    }

    /** The job id FTS gives a deterministic submission with this sid. */
    public static String jobId(String baseId, String vo, String sid) {
        if (baseId == null || vo == null || sid == null) {
            throw new IllegalArgumentException("a deterministic job id needs base_id, vo and sid");
        }
        return uuid5(uuid5(UUID.fromString(baseId), vo), sid).toString();
    }

    /** RFC 4122 name-based UUID, version 5 (SHA-1), exactly as Python's {@code uuid.uuid5(namespace, name)}. */
    public static UUID uuid5(UUID namespace, String name) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-1 in this JVM", e);
        }
        ByteBuffer ns = ByteBuffer.allocate(16);
        ns.putLong(namespace.getMostSignificantBits()).putLong(namespace.getLeastSignificantBits());
        sha1.update(ns.array());
        sha1.update(name.getBytes(StandardCharsets.UTF_8));
        byte[] h = sha1.digest();
        h[6] = (byte) ((h[6] & 0x0f) | 0x50);
        h[8] = (byte) ((h[8] & 0x3f) | 0x80);
        ByteBuffer b = ByteBuffer.wrap(h, 0, 16);
        return new UUID(b.getLong(), b.getLong());
    }
}
