package dev.claudedataingestion;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Prints one line on the console for each test class that did not run, or did not run whole, with the reason (a
 * tool not installed, credentials not given), which otherwise shows only in the report files. Registered as a
 * service.
 */
public final class SkipReasons implements TestExecutionListener {

    private final Set<String> said = ConcurrentHashMap.newKeySet();

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        say(test, reason);
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        // An assumption that does not hold aborts its test, or its class when it is in @BeforeAll.
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            say(test, result.getThrowable().map(Throwable::getMessage).orElse("an assumption did not hold"));
        }
    }

    private void say(TestIdentifier test, String reason) {
        String className = test.getSource().map(source -> source instanceof ClassSource type ? type.getClassName()
                : source instanceof MethodSource method ? method.getClassName() : null).orElse(null);
        if (className != null && said.add(className + reason)) {
            System.out.println("Skipped in " + className.substring(className.lastIndexOf('.') + 1) + ": " + reason);
        }
    }
}
