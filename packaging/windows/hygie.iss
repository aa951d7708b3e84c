; Inno Setup script of hygie's Windows installer: per user, no administrator rights needed.
;   iscc /DAppVersion=0.1.0 packaging\windows\hygie.iss
; Input: dist\hygie\ (PyInstaller, packaging\pyinstaller\hygie.spec), restic included.
; Output: dist\hygie-<version>-windows-setup.exe

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppExe "hygie.exe"
#define DashboardName "hygie — tableau de bord"

[Setup]
AppId={{8E6C1C1B-4C1D-4E0B-9E55-2F3C7B1D6A11}
AppName=hygie
AppVersion={#AppVersion}
AppPublisher=hygie
DefaultDirName={autopf}\hygie
DefaultGroupName=hygie
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\..\dist
OutputBaseFilename=hygie-{#AppVersion}-windows-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
UninstallDisplayName=hygie
SetupLogging=yes

[Languages]
Name: "fr"; MessagesFile: "compiler:Languages\French.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "autostart"; Description: "Ouvrir le tableau de bord de hygie à chaque ouverture de session"; GroupDescription: "Démarrage :"; Flags: unchecked

[Files]
Source: "..\..\dist\hygie\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{userprograms}\{#DashboardName}"; Filename: "{app}\{#AppExe}"; Parameters: "serve"; WorkingDir: "{app}"; Comment: "Ouvre le tableau de bord de hygie dans le navigateur"
Name: "{userdesktop}\{#DashboardName}"; Filename: "{app}\{#AppExe}"; Parameters: "serve"; WorkingDir: "{app}"; Comment: "Ouvre le tableau de bord de hygie dans le navigateur"
Name: "{userstartup}\{#DashboardName}"; Filename: "{app}\{#AppExe}"; Parameters: "serve"; WorkingDir: "{app}"; Tasks: autostart

[Run]
Filename: "{app}\{#AppExe}"; Parameters: "serve"; Description: "Ouvrir le tableau de bord maintenant"; Flags: postinstall nowait skipifsilent

[UninstallRun]
; Scheduled backups installed by hygie (Task Scheduler, hygie\ folder) stop with the program.
Filename: "schtasks.exe"; Parameters: "/Delete /F /TN ""hygie\hygie-backup"""; Flags: runhidden; RunOnceId: "DelBackupTask"
Filename: "schtasks.exe"; Parameters: "/Delete /F /TN ""hygie\hygie-verify"""; Flags: runhidden; RunOnceId: "DelVerifyTask"

[Code]
{ hygie's own data (platformdirs, appauthor=False): %LOCALAPPDATA%\hygie }
function HygieDataDir(): String;
begin
  Result := ExpandConstant('{localappdata}\hygie');
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and DirExists(HygieDataDir()) then
  begin
    if MsgBox('Supprimer aussi les données de hygie sur cet ordinateur (historique des bilans, ' +
              'configuration, journal des sauvegardes) ?' + #13#10#13#10 +
              'Vos sauvegardes elles-mêmes (disques, hébergeur) ne sont pas touchées. ' +
              'Répondez Non pour les garder si vous réinstallez hygie.',
              mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
      DelTree(HygieDataDir(), True, True, True);
  end;
end;
