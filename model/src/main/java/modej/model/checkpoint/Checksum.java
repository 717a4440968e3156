package modej.model.checkpoint;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

/**
 * The two SHA-256 sums a MoDE-J checkpoint keeps in {@code __metadata__}: {@link #DATA_KEY} of the
 * data section, and {@link #HEADER_KEY} of the header bytes as written with its own value set to
 * {@link #PLACEHOLDER}. The second catches flips in names and metadata, which still parse.
 */
final class Checksum {

    /** Hex SHA-256 of the data section. */
    static final String DATA_KEY = "modej.sha256";
    /** Hex SHA-256 of the header with this key's value replaced by {@link #PLACEHOLDER}. */
    static final String HEADER_KEY = "modej.header_sha256";
    /** Stands in for a sum not yet known; every sum has this length, so the header's length is fixed. */
    static final String PLACEHOLDER = "0".repeat(64);

    private Checksum() {
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The sum of {@code header}, whose {@link #HEADER_KEY} value is {@link #PLACEHOLDER}. */
    static String ofDraftHeader(byte[] header) {
        MessageDigest sha = sha256();
        sha.update(header);
        return hex(sha);
    }

    /**
     * Whether {@code metadata} carries sums (both keys, as MoDE-J writes them, or neither, as other
     * tools do); then checks the header sum against the raw {@code header} bytes.
     */
    static boolean checkHeader(Path file, byte[] header, Map<String, String> metadata) {
        String data = metadata.get(DATA_KEY), stored = metadata.get(HEADER_KEY);
        if (data == null && stored == null) {
            return false;
        }
        if (data == null || stored == null) {
            String has = data == null ? HEADER_KEY + " but not " + DATA_KEY : DATA_KEY + " but not " + HEADER_KEY;
            throw new CheckpointException(file, "__metadata__ has " + has + ": file is corrupted");
        }
        // the key and its value as the writer put them; quotes inside JSON strings are escaped,
        // so this sequence can only be the metadata entry itself
        byte[] entry = ("\"" + HEADER_KEY + "\":\"" + stored + "\"").getBytes(StandardCharsets.UTF_8);
        int at = indexOf(header, entry);
        if (stored.length() != PLACEHOLDER.length() || at < 0) {
            throw new CheckpointException(file, "header checksum mismatch: file is corrupted");
        }
        byte[] draft = header.clone();
        int valueAt = at + entry.length - 1 - stored.length();
        Arrays.fill(draft, valueAt, valueAt + stored.length(), (byte) '0');
        if (!ofDraftHeader(draft).equals(stored)) {
            throw new CheckpointException(file, "header checksum mismatch: file is corrupted");
        }
        return true;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
