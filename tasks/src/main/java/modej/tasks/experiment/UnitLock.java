package modej.tasks.experiment;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An exclusive lock on a file in {@code OUT/locks/}, held by one process at a time through the
 * operating system ({@link FileChannel#tryLock()}): a unit of work is claimed by the process holding
 * its lock, and the shared files of an experiment are written under {@code shared.lock}. The
 * operating system releases the lock when its process dies, however it dies, so the next process
 * that tries claims the unit and continues it. The file keeps the last holder's host, process id and
 * start time, for {@code --list} and messages. Lock files are never deleted: a process could still
 * be about to lock the deleted file.
 *
 * <p>Within one JVM, {@code FileChannel} locks are not exclusive between threads, and closing any
 * channel of a file drops every lock this JVM holds on it; so this class remembers which files this
 * JVM holds and never opens a second channel on one of them.
 *
 * <p>On NFS the locks are POSIX locks served by the NFS lock manager (NFSv4, or NFSv3 with lockd);
 * a file system mounted with {@code nolock} gives every process the lock, and then two processes
 * can train the same unit (results stay correct, atomic result files, but work is repeated).
 */
public final class UnitLock implements AutoCloseable {

    /** Work done holding the shared lock. */
    public interface Guarded<T> {
        T run() throws IOException;
    }

    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();
    private static final Object SHARED = new Object();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private UnitLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock file of {@code unit} in {@code out}. */
    static Path of(Path out, String unit) {
        return out.resolve("locks").resolve(unit + ".lock");
    }

    /** Claims {@code file} if no process holds it, recording this process as its holder; empty if one does. */
    static Optional<UnitLock> tryClaim(Path file) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        if (!HELD.add(key)) {
            return Optional.empty();
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(key.getParent());
            channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                HELD.remove(key);
                return Optional.empty();
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((holder() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return Optional.of(new UnitLock(key, channel, lock));
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            HELD.remove(key);
            if (e instanceof OverlappingFileLockException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Runs {@code work} holding {@code OUT/locks/shared.lock}, waiting for it as long as another
     * process holds it: for the files every process may write (resolved.yaml, data.json, the reports).
     */
    public static <T> T shared(Path out, Guarded<T> work) throws IOException {
        Path key = of(out, "shared").toAbsolutePath().normalize();
        synchronized (SHARED) {
            Files.createDirectories(key.getParent());
            try (FileChannel channel = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                return work.run();
            }
        }
    }

    /** Whether some process (this one included) holds {@code file} now; probes by locking it for an instant. */
    static boolean held(Path file) throws IOException {
        if (!Files.exists(file)) {
            return false;
        }
        Optional<UnitLock> probe = tryClaimQuietly(file);
        probe.ifPresent(UnitLock::close);
        return probe.isEmpty();
    }

    /** As {@link #tryClaim} without rewriting the holder. */
    private static Optional<UnitLock> tryClaimQuietly(Path file) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        if (!HELD.add(key)) {
            return Optional.empty();
        }
        FileChannel channel = FileChannel.open(key, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return Optional.of(new UnitLock(key, channel, lock));
            }
        } catch (OverlappingFileLockException e) {
            // another thread of this JVM holds it
        }
        channel.close();
        HELD.remove(key);
        return Optional.empty();
    }

    /** The last holder recorded in {@code file} ({@code host pid started}), or empty when it has none. */
    static String lastHolder(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** This process as a lock holder: host, process id and the time it took the lock. */
    static String holder() {
        return "host " + host() + ", pid " + ProcessHandle.current().pid() + ", since " + Instant.now();
    }

    /** This machine's name (for lock holders and {@code environment/<host>.json}). */
    static String host() {
        return Host.NAME;
    }

    /** Looked up once: a host without a name in DNS can take seconds to answer. */
    private static final class Host {
        static final String NAME = lookup();

        private static String lookup() {
            try {
                return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_.-]", "_");
            } catch (IOException e) {
                return "unknown-host";
            }
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the lock goes with the channel; nothing to keep
        } finally {
            HELD.remove(file);
        }
    }
}
