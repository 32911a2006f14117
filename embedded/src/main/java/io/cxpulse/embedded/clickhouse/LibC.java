package io.cxpulse.embedded.clickhouse;

import com.sun.jna.Library;
import com.sun.jna.Pointer;

/**
 * The libc calls the engine needs around it: signal dispositions, the time zone and standard input.
 */
interface LibC extends Library {

  int O_RDONLY = 0;

  /** {@code sizeof(struct sigaction)} is 152 on x86_64 glibc; a larger buffer is harmless. */
  int SIGACTION_BUFFER_SIZE = 256;

  int sigaction(int signal, Pointer newAction, Pointer oldAction);

  int setenv(String name, String value, int overwrite);

  void tzset();

  int isatty(int fd);

  int open(String path, int flags);

  int dup(int fd);

  int dup2(int oldFd, int newFd);

  int close(int fd);
}
