package modej.tasks.train;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An exclusive lock on what one run writes: an operating-system lock ({@link FileChannel#tryLock})
 * on a {@code .lock} file beside the output that names its holder (pid, host, start time). A second
 * run on the same output is refused at once, naming the holder. The operating system releases the
 * lock when the process ends, however it ends, so a killed run never leaves a stale lock. The file
 * stays (deleting it would let a run that opened it just before lock a file no one else sees);
 * {@link #close()} empties it. Taking the lock first creates the output's folder
 * and proves it writable, before any work.
 */
public final class OutputLock implements AutoCloseable {

    /**
     * Lock files this JVM holds. Checked before opening one: on POSIX systems closing any descriptor
     * of a file drops every lock the process holds on it, so a second open-and-close from this JVM
     * would silently free the first run's lock.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private Path created; // the outermost folder acquire created, or null

    private OutputLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code file} (creating its folder), or fails with a one-line {@link IllegalArgumentException}:
     * the folder cannot be written, or another run holds the lock ({@code what} names the output).
     */
    public static OutputLock acquire(Path file, String what) {
        Path dir = file.toAbsolutePath().getParent();
        Path created = null;
        for (Path d = dir; d != null && !Files.exists(d); d = d.getParent()) {
            created = d;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + what + ": cannot create the folder " + dir + " (" + reason(e) + ")");
        }
        Path key = file.toAbsolutePath().normalize();
        if (!HELD.add(key)) {
            throw new IllegalArgumentException(what + " is in use by another run (this process, lock " + file + ")");
        }
        try {
            OutputLock l = lock(file, what, dir);
            l.created = created;
            return l;
        } catch (RuntimeException e) {
            HELD.remove(key);
            throw e;
        }
    }

    private static OutputLock lock(Path file, String what, Path dir) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + what + " in " + dir + " (" + reason(e) + ")");
        }
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (IOException e) {
            close(ch);
            throw new IllegalArgumentException("cannot lock " + file + " (" + reason(e) + ")");
        }
        if (lock == null) {
            String holder = holder(file);
            close(ch);
            throw new IllegalArgumentException(what + " is in use by another run (" + holder + ", lock " + file
                    + "); wait for it to finish or stop it");
        }
        try {
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(description().getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(true);
        } catch (IOException e) {
            close(ch);
            throw new IllegalArgumentException("cannot write " + what + " in " + dir + " (" + reason(e) + ")");
        }
        return new OutputLock(file, ch, lock);
    }

    /** The lock file. */
    public Path file() {
        return file;
    }

    /**
     * Empties the lock file and releases the lock. A run that wrote nothing (it stopped at a check)
     * leaves nothing: the lock file and the folders {@link #acquire} created are deleted.
     */
    @Override
    public void close() {
        try {
            channel.truncate(0);
            if (created != null && onlyLockIn(file.toAbsolutePath().getParent())) {
                Files.delete(file);
                for (Path d = file.toAbsolutePath().getParent(); d != null; d = d.getParent()) {
                    Files.deleteIfExists(d);
                    if (d.equals(created)) {
                        break;
                    }
                }
            }
        } catch (IOException ignored) {
            // the lock is released below all the same
        }
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        close(channel);
        HELD.remove(file.toAbsolutePath().normalize());
    }

    private boolean onlyLockIn(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.allMatch(p -> p.getFileName().equals(file.getFileName()));
        }
    }

    /** pid, host and start time of this process, as the lock file holds them. */
    private static String description() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown host";
        }
        return "pid " + ProcessHandle.current().pid() + " on " + host + ", started "
                + Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime()) + "\n";
    }

    private static String holder(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? "holder unknown" : s;
        } catch (IOException e) {
            return "holder unknown";
        }
    }

    /** Why an I/O operation failed, in words (a FileSystemException's message is often just the path). */
    public static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing was written through it that matters
        }
    }
}
