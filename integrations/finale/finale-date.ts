/**
 * Finale writes timestamps without a zone (`2021-05-18T09:59:31`), so the client sends them the same way,
 * in UTC. Which zone Finale reads them in is not documented: callers polling by date should overlap windows.
 */
export const formatFinaleDate = (date: Date): string => date.toISOString().slice(0, 19);
