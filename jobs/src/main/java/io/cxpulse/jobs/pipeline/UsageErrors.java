package io.cxpulse.jobs.pipeline;

import java.io.PrintWriter;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How every command answers a bad argument: the message, a "did you mean" for a mistyped option,
 * and one line naming {@code --help}; exit code 2.
 *
 * <p>Picocli's default prints the whole usage after the message (about 100 lines for local mode),
 * so the one line that says what was wrong scrolls off the screen.
 */
public final class UsageErrors {

  private UsageErrors() {}

  /**
   * {@code commandLine} (and every subcommand it has now) answering bad arguments this way, the
   * help hint naming {@code helpCommand} of the failing command (e.g. {@code ./cx-pulse run} for
   * local mode).
   */
  public static CommandLine install(
      CommandLine commandLine, Function<CommandSpec, String> helpCommand) {
    return commandLine.setParameterExceptionHandler(
        (exception, args) -> {
          CommandLine failing = exception.getCommandLine();
          PrintWriter err = failing.getErr();
          err.println(failing.getColorScheme().errorText(exception.getMessage()));
          UnmatchedArgumentException.printSuggestions(exception, err);
          err.println(
              "Try '" + helpCommand.apply(failing.getCommandSpec()) + " --help' for the options.");
          err.flush();
          return failing.getCommandSpec().exitCodeOnInvalidInput();
        });
  }

  /** {@link #install} with the command's own name in the hint, as the job commands have. */
  public static CommandLine install(CommandLine commandLine) {
    return install(commandLine, CommandSpec::qualifiedName);
  }
}
