package io.firehosebridge.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A process's CPU time split by what its threads do (from {@code /proc/pid/task}): JIT compilation, garbage collection,
 * the Vert.x event loops, the Kafka consumer, and the rest. Two snapshots give where a stretch of work spent its CPU; a
 * thread that ends between them takes its time with it, which the rest ({@code other}) absorbs through the process total.
 */
record ThreadCpu(double total, Map<String, Double> byKind) {

    static final String[] KINDS = { "jit", "gc", "eventLoop", "kafkaConsumer" };

    static ThreadCpu of(long pid) throws IOException {
        Map<String, Double> byKind = new LinkedHashMap<>();
        for (String kind : KINDS) {
            byKind.put(kind, 0.0);
        }
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    String kind = kind(Files.readString(task.resolve("comm")).strip());
                    if (kind != null) {
                        byKind.merge(kind, seconds(Files.readString(task.resolve("stat"))), Double::sum);
                    }
                } catch (NoSuchFileException ended) {
                    // the thread ended while being read
                }
            }
        }
        return new ThreadCpu(seconds(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))), byKind);
    }

    /** The kind of a thread by its (15-character) name, or null for the rest. */
    static String kind(String comm) {
        if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
            return "jit";
        }
        if (comm.equals("VM Thread") || comm.startsWith("GC Thread") || comm.startsWith("G1 ")) {
            return "gc"; // the serial collector runs in the VM thread, at safepoints
        }
        if (comm.startsWith("vert.x-eventloo")) {
            return "eventLoop";
        }
        if (comm.startsWith("smallrye-kafka-")) {
            return "kafkaConsumer";
        }
        return null;
    }

    /** utime + stime of a {@code stat} line, in seconds (fields 14 and 15, counted after the command in parentheses). */
    private static double seconds(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(") ") + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    }

    /** Microseconds of CPU per record by kind between {@code start} and this snapshot, {@code other} last. */
    Map<String, Double> microsPerRecordSince(ThreadCpu start, double records) {
        Map<String, Double> out = new LinkedHashMap<>();
        double known = 0;
        for (String kind : KINDS) {
            double spent = Math.max(0, byKind.get(kind) - start.byKind.get(kind));
            known += spent;
            out.put(kind, spent / records * 1e6);
        }
        out.put("other", Math.max(0, total - start.total - known) / records * 1e6);
        return out;
    }

    static String describe(Map<String, Double> micros) {
        StringJoiner joined = new StringJoiner(", ");
        micros.forEach((kind, us) -> joined.add(String.format(Locale.ROOT, "%s %.1f", kind, us)));
        return joined.toString();
    }
}
